/**
 * The admin endpoints of the access-control policies on a running IdP: status (HTML and JSON),
 * reload on demand, a broken edit that keeps the last good policies serving, an edit picked up by
 * the file watcher, and endpoints closed when their policy is missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRows } from '../cli/run-policy.js';
import { Browser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { hasSamlResponse, TestSp } from '../support/test-sp.js';

const STATUS = '/idp/profile/admin/access-control';
const RELOAD = '/idp/profile/admin/access-control/reload';

async function reload(t: TestIdp) {
  const res = await fetch(`${t.baseURL}${RELOAD}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: '{}',
  });
  return {
    status: res.status,
    body: (await res.json()) as { ok: boolean; generation: number; errors?: string[] },
  };
}

async function status(t: TestIdp) {
  const res = await fetch(`${t.baseURL}${STATUS}`, { headers: { accept: 'application/json' } });
  return (await res.json()) as {
    generation: number;
    watching: boolean;
    policies: { name: string; rules: Record<string, number>; indexed: boolean }[];
    lastReload: { ok: boolean; errors?: string[] };
  };
}

/** alice asks for bob at the demo SP over SAML: does the SP get bob? */
async function aliceGetsBob(sp: TestSp): Promise<boolean> {
  const b = new Browser();
  const form = await b.submit(
    await b.get(await sp.loginURL()),
    { j_username: 'alice', j_password: 'demo-alice' },
    '_eventId_proceed',
  );
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
    expect(specific).toMatchObject({ indexed: true, rules: { p: 4, g: 1, g2: 1 } });
    const page = await new Browser().get(`${t.baseURL}${STATUS}`);
    expect(page.status).toBe(200);
    expect(page.html.querySelector('h1')?.text).toBe('Access-control policies');
    expect(page.body).toContain('SpecificImpersonationPolicy');
  });

  it('reloads on request, and only from a JSON request (no cross-site form can send one)', async () => {
    const before = (await status(t)).generation;
    const form = await fetch(`${t.baseURL}${RELOAD}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
    });
    expect(form.status).toBe(415);
    const { status: code, body } = await reload(t);
    expect(code).toBe(200);
    expect(body).toMatchObject({ ok: true, generation: before + 1 });
  });

  it('refuses a reload of all nodes on a single node, and a body that is no JSON, reloading nothing', async () => {
    const before = (await status(t)).generation;
    const post = (body: string) =>
      fetch(`${t.baseURL}${RELOAD}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
      });
    const all = await post('{"allNodes": true}');
    expect(all.status).toBe(409);
    expect(await all.json()).toMatchObject({ error: 'not_a_cluster' });
    expect((await post('{"allNodes": tru')).status).toBe(400);
    expect((await post(JSON.stringify({ pad: 'x'.repeat(2000) }))).status).toBe(413);
    expect((await status(t)).generation).toBe(before);
  });

  it('keeps the last good policies serving after a broken edit, and says where the error is', async () => {
    expect(await aliceGetsBob(sp)).toBe(true);
    addRows(specificFile, 'p, role:helpdesk, *, *, impersonate\n'); // one column short
    const { status: code, body } = await reload(t);
    expect(code).toBe(422);
    expect(body.ok).toBe(false);
    const line = original.trimEnd().split('\n').length; // where the end marker was
    expect(body.errors).toEqual([
      `conf/access-control/specific-impersonation.policy.csv:${line}: p: expected 5 values after p (sub, obj, rp, act, eft), found 4`,
    ]);
    expect(await aliceGetsBob(sp)).toBe(true); // still the previous policy
    expect((await status(t)).lastReload.ok).toBe(false);
    await expect
      .poll(() => t.processLog())
      .toMatch(
        /ERROR \[net\.shibboleth\.idp\.access\] - .*specific-impersonation\.policy\.csv:\d+/,
      );
    writeFileSync(specificFile, original);
    expect((await reload(t)).body.ok).toBe(true);
  });

  it('shows what a broken file holds escaped — in JSON, on the page and in the process log', async () => {
    addRows(specificFile, 'x\x1b[31mq\u202e\0, erin, admin\n'); // a row of an unknown type, with raw control bytes
    try {
      const { status: code, body } = await reload(t);
      expect(code).toBe(422);
      const page = await new Browser().get(`${t.baseURL}${STATUS}`);
      const raw = /(?![\t\n\r])[\p{Cc}\p{Cf}]/u;
      expect(body.errors!.join('\n')).not.toMatch(raw);
      expect(page.body).not.toMatch(raw);
      const line = original.trimEnd().split('\n').length;
      expect(body.errors).toEqual([
        `conf/access-control/specific-impersonation.policy.csv:${line}: (text): has the control character U+001B at column 2: policy files are plain text (save without a byte-order mark; remove the character)`,
      ]);
      expect(page.body).toContain('U+001B at column 2');
      await expect.poll(() => t.processLog()).toContain('U+001B at column 2');
      expect(t.processLog()).not.toMatch(raw);
    } finally {
      writeFileSync(specificFile, original);
      expect((await reload(t)).body.ok).toBe(true);
    }
  });

  it('picks up an edit by itself (the files are watched)', async () => {
    const before = (await status(t)).generation;
    writeFileSync(
      specificFile,
      original.replace(/^p, attr:impersonatableUsernames,.*$/m, '# (rule removed by the test)'),
    );
    await expect
      .poll(async () => (await status(t)).generation, { timeout: 10_000 })
      .toBeGreaterThan(before);
    expect(await aliceGetsBob(sp)).toBe(false);
    writeFileSync(specificFile, original);
    await expect
      .poll(async () => (await status(t)).generation, { timeout: 10_000 })
      .toBeGreaterThan(before + 1);
    expect(await aliceGetsBob(sp)).toBe(true);
  });
});

describe('with idp.accessControl.watch = false', () => {
  it('does not reload when a file changes, only when asked', async () => {
    const t = await startTestIdp({
      properties: { 'idp.accessControl.watch': 'false' },
      conf: { 'idp.properties': (old) => old },
    });
    try {
      const file = path.join(t.confDir, 'access-control', 'specific-impersonation.policy.csv');
      const before = await status(t);
      expect(before).toMatchObject({ watching: false });
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          /^p, attr:impersonatableUsernames,.*$/m,
          '# (rule removed by the test)',
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000)); // a watched IdP reloads within 250 ms
      expect((await status(t)).generation).toBe(before.generation);
      expect((await reload(t)).body).toMatchObject({ ok: true, generation: before.generation + 1 });
    } finally {
      await t.close();
    }
  });
});

describe('admin endpoints without their policies', () => {
  it('deny everyone', async () => {
    const t = await startTestIdp({
      conf: {
        'access-control.yaml': (old) =>
          `${old.slice(0, old.indexOf('  # The admin endpoints'))}# end of policy\n`,
      },
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
