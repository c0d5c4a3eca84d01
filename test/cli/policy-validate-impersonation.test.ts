/**
 * `policy validate` refuses a relying party capped above what it may have — maxLevel delegate on
 * an RP not trusted for delegation — exactly as the IdP refuses to start: file:line, key, non-zero
 * exit. The same RP marked as trusted (and one whose own metadata declares delegate) passes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confWithRps, lineOf } from '../support/rp-conf.js';
import { runPolicy } from './run-policy.js';

/** The shipped conf with the demo SP given `impersonation` (one flow-style line). */
const demoSpWith = (impersonation: string, files: Record<string, string> = {}, oidc?: string) =>
  confWithRps(
    {
      edit: (t) =>
        t.replace(
          '    postAuthenticationFlows: [impersonate]\n\noidcClients:',
          `    postAuthenticationFlows: [impersonate]\n    impersonation: ${impersonation}\n\noidcClients:`,
        ),
      oidc,
      files,
    },
    mkdtempSync(path.join(tmpdir(), 'policy-cli-rp-')),
  );

describe('policy validate on relying-party impersonation caps', () => {
  it('rejects maxLevel delegate on an RP not trusted for delegation, with file:line:key', async () => {
    const conf = demoSpWith('{ mode: allowed, maxLevel: delegate }');
    const line = lineOf(conf, 'maxLevel: delegate');
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('OK:');
    expect(run.stderr).toContain(
      `conf/relying-party.yaml:${line}: samlServiceProviders[0].impersonation.maxLevel: delegate needs trustedForDelegation: true`,
    );
    expect(run.stderr).toContain('1 problem: the IdP would not start with this configuration');
  });

  it('accepts the same RP marked as trusted for delegation, and a client declaring delegate for itself', async () => {
    const conf = demoSpWith(
      '{ maxLevel: delegate, trustedForDelegation: true }',
      { 'clients/staging.json': '{"impersonation_max_level": "delegate"}' },
      [
        '  - clientId: staging-rp',
        '    clientSecret: a-staging-secret-of-some-length',
        '    redirectUris: ["https://staging.example.org/callback"]',
        '    metadataFile: clients/staging.json',
      ].join('\n'),
    );
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('OK: 5 access-control policies');
  });
});
