/**
 * Loading a named policy: a broken model fails when it is loaded, naming file:line — also for the
 * mistakes casbin itself only discovers at the first decision — and a model the indexes do not
 * take on is decided by plain casbin, and says so.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/access/compiled-policy.js';
import { fileLabel, type NamedPolicyFiles } from '../../src/access/policy-files.js';
import { END_MARKER } from '../../src/access/policy-text.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { NO_PAUSES } from '../../src/access/engine/cooperative.js';

const GOOD_MODEL = `[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && r.act == p.act
`;

function files(model: string, policy: string): NamedPolicyFiles {
  const dir = mkdtempSync(path.join(tmpdir(), 'policy-loading-'));
  const modelFile = path.join(dir, 'm.conf');
  const policyFile = path.join(dir, 'p.csv');
  writeFileSync(modelFile, `${model.trimEnd()}\n${END_MARKER}\n`); // complete files (policy-text.ts)
  writeFileSync(policyFile, `${policy.trimEnd()}\n${END_MARKER}\n`);
  return {
    name: 'TestPolicy',
    modelFile,
    policyFile,
    modelLabel: fileLabel(dir, modelFile),
    policyLabel: fileLabel(dir, policyFile),
    declaredAt: 'test',
  };
}

async function loadError(
  model: string,
  policy = 'p, alice, doc, read, allow\n',
): Promise<ConfigurationError> {
  const err: unknown = await compilePolicy(files(model, policy), NO_PAUSES).catch(
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigurationError);
  return err as ConfigurationError;
}

describe('a broken model', () => {
  it.each([
    [
      'an unknown function',
      GOOD_MODEL.replace('keyMatch(', 'keyMach('),
      /m\.conf:14: \[matchers\] m: unknown function keyMach\(\)/,
    ],
    [
      'an undefined token',
      GOOD_MODEL.replace('r.act == p.act', 'r.action == p.act'),
      /m\.conf:14: \[matchers\] m: r\.action is neither a request \(r\) nor a policy \(p\) token/,
    ],
    [
      'a syntax error',
      GOOD_MODEL.replace('&& r.act', '&& (r.act'),
      /m\.conf:14: \[matchers\] m: matcher does not parse/,
    ],
    [
      'an unsupported effect',
      GOOD_MODEL.replace(/^e = .*$/m, 'e = some(where (p.eft == allow)) || deny'),
      /m\.conf:11: \[policy_effect\] e: unsupported effect/,
    ],
    [
      'a missing section',
      GOOD_MODEL.replace(/\[matchers\][^]*$/, ''),
      /m\.conf: \(model\): casbin cannot read the model: missing required sections: matchers/,
    ],
    [
      'a definition without "="',
      GOOD_MODEL.replace('g = _, _', '\n\ng _, _'),
      /m\.conf:10: \(model\): casbin cannot read the model: parse the content error$/,
    ],
  ])('fails to load with file:line for %s', async (_what, model, message) => {
    expect((await loadError(model)).message).toMatch(message);
  });

  it('refuses a request token the IdP does not provide', async () => {
    expect(
      (await loadError(GOOD_MODEL.replace('r = sub, obj, act', 'r = sub, obj, act, tenant')))
        .message,
    ).toMatch(/m\.conf:2: \[request_definition\] r: unknown request token tenant/);
  });

  it('names the policy file and line of a bad row', async () => {
    expect(
      (await loadError(GOOD_MODEL, 'p, alice, doc, read, allow\n\np, bob, doc\n')).message,
    ).toMatch(/p\.csv:3: p: expected 4 values/);
  });
});

describe('models the indexes do not take on', () => {
  const requests = [
    ['alice', 'doc', 'read'],
    ['bob', 'doc', 'read'],
    ['bob', 'doc/1', 'write'],
    ['carol', 'x', 'read'],
  ];

  it.each([
    [
      'priority',
      GOOD_MODEL.replace('p = sub, obj, act, eft', 'p = priority, sub, obj, act, eft').replace(
        /^e = .*$/m,
        'e = priority(p.eft) || deny',
      ),
      'p, 2, alice, doc, read, allow\np, 1, role:r, doc*, read, deny\np, 3, bob, doc*, write, allow\ng, bob, role:r\n',
      'the effect depends on rule priority',
    ],
    [
      'eval()',
      GOOD_MODEL.replace('p = sub, obj, act, eft', 'p = sub_rule, obj, act, eft').replace(
        /^m = .*$/m,
        'm = eval(p.sub_rule) && keyMatch(r.obj, p.obj) && r.act == p.act',
      ),
      'p, r.sub == "alice", doc, read, allow\np, r.sub != "alice", doc*, write, allow\n',
      'the matcher uses eval()',
    ],
    [
      'no indexable term',
      GOOD_MODEL.replace(
        /^m = .*$/m,
        'm = regexMatch(r.sub, p.sub) && !(r.obj != p.obj) && r.act == r.act',
      ),
      'p, ^a.*, doc, read, allow\np, b, doc, read, deny\n',
      'no term of the matcher can use an index',
    ],
  ])('%s: decided by plain casbin, with the reason', async (_what, model, policy, note) => {
    const compiled = await compilePolicy(files(model, policy), NO_PAUSES);
    expect(compiled.engine).toMatchObject({ indexed: false, note });
    const enforcer = await newEnforcer(newModelFromString(model), new StringAdapter(policy));
    for (const [sub, obj, act] of requests) {
      const [allowed, rule] = enforcer.enforceExSync(sub, obj, act);
      const decision = compiled.engine.decide([sub, obj, act]);
      expect({
        sub,
        obj,
        act,
        allowed: decision.allowed,
        rule: decision.rule === -1 ? [] : (compiled.rules.rows.get('p')?.row(decision.rule) ?? []),
      }).toEqual({ sub, obj, act, allowed, rule });
    }
  });

  it('the same model with allow-and-deny and a g() term is indexed', async () => {
    const compiled = await compilePolicy(
      files(GOOD_MODEL, 'p, alice, doc, read, allow\n'),
      NO_PAUSES,
    );
    expect(compiled.engine.indexed).toBe(true);
    expect(compiled.engine.indexedTerms).toEqual([
      'g(r.sub, p.sub)',
      'keyMatch(r.obj, p.obj)',
      'r.act == p.act',
    ]);
  });
});
