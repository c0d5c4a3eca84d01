/**
 * Reading policy files: values come out exactly as casbin's own StringAdapter reads them (plain,
 * quoted, bracketed and CRLF lines), and every line casbin would take silently but wrongly is an
 * error naming its file and line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { describe, expect, it } from 'vitest';
import { CasbinModel } from '../../../src/access/engine/casbin-model.js';
import { readPolicyRules } from '../../../src/access/engine/policy-rules.js';
import { DEFAULT_CONF_DIR } from '../../../src/core/paths.js';
import { NO_PAUSES } from '../../../src/access/engine/cooperative.js';

const MODEL_TEXT = readFileSync(
  path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'),
  'utf8',
);
const MODEL = CasbinModel.parse(MODEL_TEXT, 'conf/access-control/impersonation.model.conf');
const read = (text: string) =>
  readPolicyRules(text, 'conf/access-control/x.policy.csv', MODEL, NO_PAUSES);

describe('policy rows', () => {
  it('reads every kind of line exactly as casbin does', async () => {
    const text = [
      '# a comment',
      '',
      'p, alice, bob, https://sp.example.org/shibboleth, impersonate, allow',
      '  p ,  spaced  ,bob,*, impersonate ,deny  ',
      'p, "quoted, with comma", "say ""hi""", "https://app{1,2}.example.org/**", impersonate, allow',
      'p, role:x, group:(a, b), *, impersonate, allow',
      'p, crlf, bob, *, impersonate, allow\r',
      '   # an indented comment',
      'g, alice, role:x',
      'g2, bob, group:protected',
    ].join('\n');
    const { rules, problems } = await read(text);
    expect(problems).toEqual([]);
    const enforcer = await newEnforcer(newModelFromString(MODEL_TEXT), new StringAdapter(text));
    for (const type of ['p', 'g', 'g2']) {
      expect(rules.rows.get(type)?.toArrays()).toEqual(
        enforcer.getModel().model.get(type.slice(0, 1))?.get(type)?.policy,
      );
    }
    expect(Array.from(rules.lines.get('p')!)).toEqual([3, 4, 5, 6, 7]);
    expect(Array.from(rules.lines.get('g')!)).toEqual([9]);
  });

  it.each([
    [
      'p, alice, bob, *, impersonate',
      'p: expected 5 values after p (sub, obj, rp, act, eft), found 4',
    ],
    [
      'p, alice, bob, *, impersonate deny',
      'p: expected 5 values after p (sub, obj, rp, act, eft), found 4',
    ],
    ['p, alice, bob, *, impersonate, allow, extra', 'found 6'],
    ['p, alice, bob, *, impersonate, Allow', 'p: eft must be allow or deny, found "Allow"'],
    ['g, alice', 'g: expected 2 values after g (_, _), found 1'],
    ['q, alice, bob', 'q: unknown policy type "q" (the model defines p, g, g2)'],
    ['sub, obj, rp, act, eft', 'unknown policy type "sub"'],
    ['p, "unclosed, bob, *, impersonate, allow', 'not a CSV row'],
  ])('refuses %j with file:line', async (line, message) => {
    const { problems } = await read(`# header\n\n${line}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('conf/access-control/x.policy.csv:3: ');
    expect(problems[0]!.message).toContain(message);
  });

  it('reports every bad line, not just the first', async () => {
    const { problems } = await read(
      'p, a, b, *, impersonate\np, a, b, *, impersonate, allow\nq, x\n',
    );
    expect(problems.map((p) => p.file)).toEqual([
      'conf/access-control/x.policy.csv:1',
      'conf/access-control/x.policy.csv:3',
    ]);
  });

  it("accepts an empty file (casbin's StringAdapter would refuse it)", async () => {
    const { rules, problems } = await read('');
    expect(problems).toEqual([]);
    expect(rules.rows.get('p')?.length).toBe(0);
  });
});
