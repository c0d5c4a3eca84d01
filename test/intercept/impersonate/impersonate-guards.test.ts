/**
 * What must never get through the impersonate form: forged or replayed posts (e), a policy name
 * that does not exist (f), and wildcard, case and Unicode variants of a protected account (g).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { hasSamlResponse, signInThrough, TestSp } from '../../support/test-sp.js';

describe('(e) forged and replayed form posts', () => {
  let t: TestIdp;
  let sp: TestSp;
  beforeAll(async () => {
    t = await startTestIdp();
    sp = await TestSp.create(t.baseURL);
  });
  afterAll(async () => t?.close());

  it('rejects a post without the CSRF token', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    const { action, fields } = browser.form(form);
    const { csrf_token: _dropped, ...rest } = fields;
    const page = await browser.post(action, {
      ...rest,
      principal: 'bob',
      _eventId_impersonate: 'Impersonate',
    });
    expect(page.status).toBe(403);
    expect(page.html.querySelector('h1')?.text).toBe('Form Rejected');
    expect(hasSamlResponse(page)).toBe(false);
  });

  it('rejects a post with a wrong CSRF token, and the form cannot then be retried', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    const { action, fields } = browser.form(form);
    const forged = await browser.post(action, {
      ...fields,
      csrf_token: `${fields.csrf_token}x`,
      principal: 'bob',
      _eventId_impersonate: 'x',
    });
    expect(forged.status).toBe(403);
    expect(hasSamlResponse(forged)).toBe(false);
    const retry = await browser.post(action, {
      ...fields,
      principal: 'bob',
      _eventId_impersonate: 'x',
    });
    expect(retry.html.querySelector('h1')?.text).toBe('Stale Request');
    expect(hasSamlResponse(retry)).toBe(false);
  });

  it('rejects a replayed post of a form that already succeeded', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    const { action, fields } = browser.form(form);
    const submitted = { ...fields, principal: 'bob', _eventId_impersonate: 'Impersonate' };
    const first = await browser.post(action, submitted);
    expect(hasSamlResponse(first)).toBe(true);
    const replay = await browser.post(action, submitted);
    expect(replay.status).toBe(400);
    expect(replay.html.querySelector('h1')?.text).toBe('Stale Request');
    expect(hasSamlResponse(replay)).toBe(false);
  });

  it('rejects a valid token and execution posted from another browser (no session cookie)', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    const { action, fields } = browser.form(form);
    const attacker = new Browser();
    const page = await attacker.post(action, {
      ...fields,
      principal: 'bob',
      _eventId_impersonate: 'x',
    });
    expect(page.html.querySelector('h1')?.text).toBe('Stale Request');
    expect(hasSamlResponse(page)).toBe(false);
    // ... and the victim's form is untouched by the attempt.
    expect(
      hasSamlResponse(
        await browser.post(action, { ...fields, principal: 'bob', _eventId_impersonate: 'x' }),
      ),
    ).toBe(true);
  });

  it('checks the CSRF token of the login form too', async () => {
    const browser = new Browser();
    const page = await browser.get(await sp.loginURL());
    const { action, fields } = browser.form(page);
    const result = await browser.post(action, {
      ...fields,
      csrf_token: 'nope',
      j_username: 'alice',
      j_password: 'demo-alice',
      _eventId_proceed: 'x',
    });
    expect(result.status).toBe(403);
    expect(browser.cookies(t.baseURL).length).toBeGreaterThan(0);
    const next = await browser.get(await sp.loginURL());
    expect(next.html.querySelector('input[name=j_password]')).not.toBeNull(); // not logged in
  });
});

describe('(f) a policy name that does not exist', () => {
  it('denies the general check: no form, the SP receives the real user', async () => {
    const t = await startTestIdp({
      properties: { 'idp.impersonate.generalPolicy': 'NoSuchPolicy' },
    });
    try {
      const sp = await TestSp.create(t.baseURL);
      const post = await signInThrough(sp, new Browser(), 'alice');
      expect((await sp.receive(post)).nameID).toBe('alice');
      await expect
        .poll(() => t.processLog())
        .toContain("No policy named 'NoSuchPolicy' found, returning default denial policy");
    } finally {
      await t.close();
    }
  });

  it('denies the specific check: every impersonation is a violation', async () => {
    const t = await startTestIdp({
      properties: { 'idp.impersonate.specificPolicy': 'NoSuchPolicy' },
    });
    try {
      const sp = await TestSp.create(t.baseURL);
      const browser = new Browser();
      const form = await signInThrough(sp, browser, 'alice');
      const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
      expect(page.status).toBe(403);
      expect(hasSamlResponse(page)).toBe(false);
    } finally {
      await t.close();
    }
  });
});

describe('(g) wildcard, case and Unicode variants of a protected account', () => {
  let t: TestIdp;
  let sp: TestSp;
  beforeAll(async () => {
    t = await startTestIdp();
    sp = await TestSp.create(t.baseURL);
  });
  afterAll(async () => t?.close());

  // erin (help desk) may impersonate any account at the demo SP except the protected admin.
  async function attempt(name: string): Promise<Page> {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'erin');
    return browser.submit(form, { principal: name }, '_eventId_impersonate');
  }

  it.each([
    ['*', 'wildcards'],
    ['ad*', 'wildcards'],
    ['adm?n', 'wildcards'],
    ['admin%', 'wildcards'],
    ['(uid=admin)', 'wildcards'],
    ['admin\u200b', 'invisible'],
    ['ad\u0000min', 'invisible'],
    ['adm\u0456n', 'mix alphabets'], // Cyrillic і among Latin letters
    ['\u0430\u0501\u043c\u0456', 'look-alike'], // Cyrillic letters only, reading "admi"
    ['a'.repeat(65), 'longer than any account name'],
    ['admin,bob', 'punctuation'],
  ])('refuses %j with a clear message and releases nothing', async (name, reason) => {
    const page = await attempt(name);
    expect(page.status).toBe(200);
    expect(page.html.querySelector('.error')?.text).toContain(reason);
    expect(page.html.querySelector('h1')?.text).toBe('Account Impersonation'); // the form again
    expect(hasSamlResponse(page)).toBe(false);
  });

  it.each(['ADMIN', ' Admin ', '\uff41\uff44\uff4d\uff49\uff4e' /* fullwidth */, 'admin\u3000'])(
    'canonicalizes %j to the protected account and denies it',
    async (name) => {
      const page = await attempt(name);
      expect(page.status).toBe(403);
      expect(page.html.querySelector('h1')?.text).toBe('Access Denied');
      expect(hasSamlResponse(page)).toBe(false);
      const records = t.auditRecords();
      expect(auditRecord(records[records.length - 1]!)).toMatchObject({
        e: 'ImpersonationViolation',
        u: 'erin',
        uu: '',
      });
      await expect
        .poll(() => t.processLog())
        .toContain("Unauthorized impersonation attempt by principal 'erin' as 'admin'");
    },
  );

  it('canonicalizes an allowed account the same way (BOB is bob)', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    // alice's form is a select list; a hand-made post with another spelling still names bob.
    const { action, fields } = browser.form(form);
    const profile = await sp.receive(
      await browser.post(action, {
        ...fields,
        principal: '\uff22\uff2f\uff22',
        _eventId_impersonate: 'x',
      }),
    );
    expect(profile.nameID).toBe('bob');
  });
});
