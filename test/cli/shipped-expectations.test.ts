/**
 * `policy test` on the expectations shipped with the policies (conf/access-control/
 * expectations.yaml), so npm test fails whenever a policy edit changes what an admin wrote down —
 * and the same command failing, with file:line, on an expectation the policies contradict.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { confCopy, runPolicy } from './run-policy.js';

const EXPECTATIONS = path.join(DEFAULT_CONF_DIR, 'access-control/expectations.yaml');

describe('the shipped expectations', () => {
  it('all hold', async () => {
    const run = await runPolicy(['test', EXPECTATIONS]);
    expect(run.stdout).not.toContain('FAIL');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/expectations\.yaml: 16 expectations, \d+ checks, 0 failed/);
  });

  it('fail, with the line and the deciding rule, once a policy edit contradicts them', async () => {
    const conf = confCopy();
    const policy = path.join(conf, 'access-control/specific-impersonation.policy.csv');
    writeFileSync(
      policy,
      readFileSync(policy, 'utf8').replace(
        'p, *, group:protected, *, impersonate, deny',
        '# the deny was removed',
      ),
    );
    const run = await runPolicy([
      'test',
      path.join(conf, 'access-control/expectations.yaml'),
      '--conf',
      conf,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /FAIL access-control\/expectations\.yaml:\d+: erin as admin at https:\/\/sp\.demo\.example\.org\/shibboleth: SpecificImpersonationPolicy: expected DENY, got ALLOW \(decided by conf\/access-control\/specific-impersonation\.policy\.csv:9 {2}p, role:helpdesk, \*, https:\/\/\*\.example\.org\/\*\*, impersonate, allow\) — admin is in group:protected/,
    );
    expect(run.stderr).toMatch(/[1-9]\d* failed/);
  });

  it('refuses a malformed expectations file with its line', async () => {
    const conf = confCopy();
    const file = path.join(conf, 'access-control/expectations.yaml');
    writeFileSync(
      file,
      'expectations:\n  - user: alice\n    rp: x\n    expect: { GeneralImpersonationPolicyy: allow }\n',
    );
    const run = await runPolicy(['test', file, '--conf', conf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'access-control/expectations.yaml:4: expectations[0].expect.GeneralImpersonationPolicyy: names no policy',
    );
  });
});
