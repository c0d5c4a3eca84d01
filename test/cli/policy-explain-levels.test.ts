/**
 * `policy explain` and `policy test` agree with the IdP on levels and modes: at a relying party
 * that requires impersonation the tester's own name is refused (the form asks again), never "goes
 * on as themself"; and an expectations file naming a level that does not exist is refused, not
 * silently answered "deny".
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confWithRps } from '../support/rp-conf.js';
import { runPolicy } from './run-policy.js';

const DEMO_SP = 'https://sp.demo.example.org/shibboleth';

/** The shipped conf with the demo SP given `impersonation` (one flow-style line). */
const demoSpWith = (impersonation: string) =>
  confWithRps(
    {
      edit: (t) =>
        t.replace(
          '    postAuthenticationFlows: [impersonate]\n\noidcClients:',
          `    postAuthenticationFlows: [impersonate]\n    impersonation: ${impersonation}\n\noidcClients:`,
        ),
    },
    mkdtempSync(path.join(tmpdir(), 'policy-cli-levels-')),
  );

describe('policy explain at a relying party that requires impersonation', () => {
  it('says the own name is refused, as the IdP does — never that the user goes on as themself', async () => {
    const conf = demoSpWith('{ mode: required }');
    const run = await runPolicy([
      'explain',
      ...['--user', 'alice', '--target', 'alice', '--rp', DEMO_SP, '--conf', conf],
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Outcome: NO');
    expect(run.stdout).not.toContain('proceeds without impersonation');
  });
});

describe('policy test with a level', () => {
  it('refuses an expectation whose level is no level, with its line', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'policy-cli-levels-')), 'e.yaml');
    writeFileSync(
      file,
      [
        'expectations:',
        '  - user: erin',
        '    target: alice',
        `    rp: "${DEMO_SP}"`,
        '    level: identfy',
        '    expect: deny',
        '',
      ].join('\n'),
    );
    const run = await runPolicy(['test', file]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      ':5: expectations[0].level: must be one of identify, impersonate, delegate',
    );
  });
});
