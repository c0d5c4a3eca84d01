/**
 * "Who am I" and sign-out (issue 10, item 6), through real flows: alice signs in at the test SP and
 * impersonates bob, then at the OIDC demo client; the page in the same browser shows her login, its
 * expiry and both impersonations; sign-out needs the page's CSRF token, is audited, and ends the
 * IdP session (the next SAML request asks for the password again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { auditRecord, type TestIdp } from '../support/test-idp.js';
import { demoRp, rpBrowser, signInAndRedeem, startOidcTestIdp } from '../support/oidc-clients.js';
import { hasSamlResponse, signInThrough, TestSp } from '../support/test-sp.js';

const SP = 'https://sp.demo.example.org/shibboleth';
const WHOAMI = '/idp/profile/whoami';
const SIGN_OUT = '/idp/profile/whoami/signout';

let t: TestIdp;
let sp: TestSp;
beforeAll(async () => {
  t = await startOidcTestIdp();
  sp = await TestSp.create(t.baseURL);
});
afterAll(async () => t?.close());

/** alice signs in at the SP and impersonates bob there; returns the browser. */
async function aliceAsBob(browser: Browser = rpBrowser()): Promise<Browser> {
  const form = await signInThrough(sp, browser, 'alice');
  expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
  const released = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
  expect(hasSamlResponse(released)).toBe(true);
  return browser;
}

describe('who am I', () => {
  it('says nobody is signed in to a fresh browser, and is never cached', async () => {
    const page = await new Browser().get(`${t.baseURL}${WHOAMI}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.html.querySelector('.nobody')).not.toBeNull();
    expect(page.html.querySelector('form.sign-out')).toBeNull();
    expect(page.html.querySelector('.whoami-link')).toBeNull();
  });

  it('names the signed-in account on the impersonate form', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    const link = form.html.querySelector('.whoami-link');
    expect(link?.querySelector('strong')?.text).toBe('alice');
    expect(link?.querySelector('a')?.getAttribute('href')).toBe(WHOAMI);
  });

  it('shows alice, her login, its expiry and her SAML and OIDC impersonations, newest first', async () => {
    const before = Date.now();
    const browser = await aliceAsBob();
    const client = await demoRp(t);
    await signInAndRedeem(browser, client, 'alice', 'carol');
    const page = await browser.get(`${t.baseURL}${WHOAMI}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.html.querySelector('dd.account')?.text).toBe('alice');
    const loginAt = Date.parse(page.html.querySelector('.login-time')!.getAttribute('datetime')!);
    expect(loginAt).toBeGreaterThanOrEqual(before - 1000);
    expect(loginAt).toBeLessThanOrEqual(Date.now());
    const expires = Date.parse(page.html.querySelector('.expires')!.getAttribute('datetime')!);
    expect(expires).toBeGreaterThan(Date.now());
    const rows = page.html
      .querySelectorAll('table.impersonations tbody tr')
      .map((tr) => tr.querySelectorAll('td').map((td) => td.text));
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ['carol', 'demo-rp', 'impersonate'],
      ['bob', SP, 'impersonate'],
    ]);
    expect(Date.parse(rows[1]![3]!)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('lists nothing for a session that only continued normally', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    expect(hasSamlResponse(await browser.submit(form, {}, '_eventId_proceed'))).toBe(true);
    const page = await browser.get(`${t.baseURL}${WHOAMI}`);
    expect(page.html.querySelector('.no-impersonations')).not.toBeNull();
  });
});

describe('sign-out', () => {
  it('is refused without the CSRF token and as a GET; with it, ends the IdP session', async () => {
    const browser = await aliceAsBob();
    const page = await browser.get(`${t.baseURL}${WHOAMI}`);
    const form = browser.form(page, 'form.sign-out');
    expect(form.action).toBe(`${t.baseURL}${SIGN_OUT}`);

    const noToken = await browser.post(form.action, {});
    expect(noToken.status).toBe(403);
    const wrongToken = await browser.post(
      form.action,
      Object.fromEntries(Object.keys(form.fields).map((k) => [k, 'forged'])),
    );
    expect(wrongToken.status).toBe(403);
    expect((await browser.get(`${t.baseURL}${SIGN_OUT}`)).status).toBe(405);
    // Still signed in.
    const still = await browser.get(`${t.baseURL}${WHOAMI}`);
    expect(still.html.querySelector('dd.account')?.text).toBe('alice');

    const done = await browser.post(form.action, form.fields);
    expect(done.status).toBe(200);
    expect(done.headers.get('cache-control')).toBe('no-store');
    expect(done.html.querySelector('h1')?.text).toBe('Signed Out');
    // The SP that got bob has no logout endpoint: it could not be told, and the page says so.
    expect(done.url).toContain('/idp/profile/SAML2/Redirect/SLO');
    expect(done.body).toContain('Some services could not be signed out');
    expect(done.html.querySelector('.whoami-link')).toBeNull();
    const logout = t
      .auditRecords()
      .map(auditRecord)
      .filter((r) => r.act === 'logout');
    expect(logout.at(-1)).toMatchObject({ P: 'Authn/Logout', u: 'alice', e: '', uu: '' });
    expect(logout.at(-1)!.s).not.toBe('');

    const after = await browser.get(`${t.baseURL}${WHOAMI}`);
    expect(after.html.querySelector('.nobody')).not.toBeNull();
    const again = await browser.get(await sp.loginURL());
    expect(again.html.querySelector('input[name=j_password]')).not.toBeNull();
    // The old form's token is gone with the session.
    expect((await browser.post(form.action, form.fields)).status).toBe(403);
  });
});
