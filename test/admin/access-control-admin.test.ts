/**
 * The admin endpoints of the access-control policies on a running IdP: status (HTML and JSON),
 * reload on demand, a broken edit that keeps the last good policies serving, an edit picked up by
 * the file watcher, and endpoints closed when their policy is missing.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { hasSamlResponse, TestSp } from '../support/test-sp.js';

const STATUS = '/idp/profile/admin/access-control';
const RELOAD = '/idp/profile/admin/access-control/reload';

async function reload(t: TestIdp) {
  const res = await fetch(`${t.baseURL}${RELOAD}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{}' });
  return { status: res.status, body: (await res.json()) as { ok: boolean; generation: number; errors?: string[] } };
}

async function status(t: TestIdp) {
  const res = await fetch(`${t.baseURL}${STATUS}`, { headers: { accept: 'application/json' } });
  return (await res.json()) as { generation: number; policies: { name: string; rules: Record<string, number>; indexed: boolean }[]; lastReload: { ok: boolean; errors?: string[] } };
}

/** alice asks for bob at the demo SP over SAML: does the SP get bob? */
async function aliceGetsBob(sp: TestSp): Promise<boolean> {
  const b = new Browser();
  const form = await b.submit(await b.get(await sp.loginURL()), { j_username: 'alice', j_password: 'demo-alice' }, '_eventId_proceed');
  const page = await b.submit(form, { principal: 'bob' }, '_eventId_impersonate');
  return hasSamlResponse(page) && (await sp.receive(page)).nameID === 'bob';
}

describe('access-control admin endpoints', () => {
  let t: TestIdp;
  let sp: TestSp;
  let specificFile: string;
  let original: string;

  beforeAll(async () => {
    // A copy of conf/ (unchanged) so the test can edit policy files.
    t = await startTestIdp({ conf: { 'idp.properties': (old) => old } });
    sp = await TestSp.create(t.baseURL);
    specificFile = path.join(t.confDir, 'access-control', 'specific-impersonation.policy.csv');
    original = readFileSync(specificFile, 'utf8');
  });
  afterAll(async () => t?.close());

  it('shows what is loaded, as JSON and as a page', async () => {
    const s = await status(t);
    expect(s.lastReload.ok).toBe(true);
    const specific = s.policies.find((p) => p.name === 'SpecificImpersonationPolicy')!;
    expect(specific).toMatchObject({ indexed: true, rules: { p: 3, g: 1, g2: 1 } });
    const page = await new Browser().get(`${t.baseURL}${STATUS}`);
    expect(page.status).toBe(200);
    expect(page.html.querySelector('h1')?.text).toBe('Access-control policies');
    expect(page.body).toContain('SpecificImpersonationPolicy');
  });

  it('reloads on request, and only from a JSON request (no cross-site form can send one)', async () => {
    const before = (await status(t)).generation;
    const form = await fetch(`${t.baseURL}${RELOAD}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
    expect(form.status).toBe(415);
    const { status: code, body } = await reload(t);
    expect(code).toBe(200);
    expect(body).toMatchObject({ ok: true, generation: before + 1 });
  });

  it('keeps the last good policies serving after a broken edit, and says where the error is', async () => {
    expect(await aliceGetsBob(sp)).toBe(true);
    appendFileSync(specificFile, 'p, role:helpdesk, *, *, impersonate\n'); // one column short
    const { status: code, body } = await reload(t);
    expect(code).toBe(422);
    expect(body.ok).toBe(false);
    const lines = original.split('\n').length;
    expect(body.errors!.join('\n')).toContain(`conf/access-control/specific-impersonation.policy.csv:${lines}`);
    expect(await aliceGetsBob(sp)).toBe(true); // still the previous policy
    expect((await status(t)).lastReload.ok).toBe(false);
    await expect.poll(() => t.processLog()).toMatch(/ERROR \[net\.shibboleth\.idp\.access\] - .*specific-impersonation\.policy\.csv:\d+/);
    writeFileSync(specificFile, original);
    expect((await reload(t)).body.ok).toBe(true);
  });

  it('picks up an edit by itself (the files are watched)', async () => {
    const before = (await status(t)).generation;
    writeFileSync(specificFile, original.replace(/^p, attr:impersonatableUsernames,.*$/m, '# (rule removed by the test)'));
    await expect.poll(async () => (await status(t)).generation, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await aliceGetsBob(sp)).toBe(false);
    writeFileSync(specificFile, original);
    await expect.poll(async () => (await status(t)).generation, { timeout: 10_000 }).toBeGreaterThan(before + 1);
    expect(await aliceGetsBob(sp)).toBe(true);
  });
});

describe('admin endpoints without their policies', () => {
  it('deny everyone', async () => {
    const t = await startTestIdp({
      conf: { 'access-control.yaml': (old) => old.slice(0, old.indexOf('  # The admin endpoints')) },
    });
    try {
      const page = await new Browser().get(`${t.baseURL}${STATUS}`);
      expect(page.status).toBe(403);
      expect(page.html.querySelector('h1')?.text).toBe('Access Denied');
      const refused = await reload(t);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: 'AccessDenied' });
    } finally {
      await t.close();
    }
  });
});
