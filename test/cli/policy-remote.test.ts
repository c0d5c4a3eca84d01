/** `policy reload` and `policy status --url` against a running IdP, as an admin runs them. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { freePort } from '../support/free-port.js';
import { addRows, runPolicy } from './run-policy.js';

describe('policy reload / status --url', () => {
  let t: TestIdp;
  let policyFile: string;
  let original: string;

  beforeAll(async () => {
    t = await startTestIdp({ conf: { 'idp.properties': (old) => old } });
    policyFile = path.join(t.confDir, 'access-control', 'general-impersonation.policy.csv');
    original = readFileSync(policyFile, 'utf8');
  });
  afterAll(async () => t?.close());

  it('reloads a running IdP, taking the URL from --url or from the configuration', async () => {
    const byUrl = await runPolicy(['reload', '--url', t.baseURL]);
    expect(byUrl.code).toBe(0);
    expect(byUrl.stdout).toMatch(/Reloaded: the IdP at .* now serves generation \d+/);
    const byConf = await runPolicy(['reload', '--conf', t.confDir], { IDP_BASE_URL: t.baseURL });
    expect(byConf.code).toBe(0);
  });

  it('reports a refused reload with file:line and exits 1, the previous policies still served', async () => {
    addRows(policyFile, 'p, role:helpdesk, *, *, impersonate, maybe\n');
    try {
      const run = await runPolicy(['reload', '--url', t.baseURL]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Reload refused');
      expect(run.stderr).toMatch(/conf\/access-control\/general-impersonation\.policy\.csv:\d+/);
      const status = await runPolicy(['status', '--url', t.baseURL]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('Last reload: FAILED (the previous policies stay in force)');
      expect(status.stdout).toContain('GeneralImpersonationPolicy');
    } finally {
      writeFileSync(policyFile, original);
    }
  });

  it('says so when no IdP answers', async () => {
    const run = await runPolicy(['reload', '--url', `http://127.0.0.1:${await freePort()}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Cannot reach the IdP');
  });
});
