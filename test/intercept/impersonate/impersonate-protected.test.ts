/**
 * Protected accounts end to end (issue 10, item 3): an account the directory flags protected
 * (conf/demo-users.yaml `protected: true`, Windows' "account is sensitive and cannot be delegated")
 * is never impersonated, whatever the policies say. The conf here is the shipped one with the
 * policies opened up for erin: the shipped deny row for group:protected is gone and erin may
 * impersonate admin anywhere — the flag alone still refuses, over SAML and over OIDC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { demoRp, rpBrowser } from '../../support/oidc-clients.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import type { TestRp } from '../../support/test-rp.js';
import { hasSamlResponse, TestSp } from '../../support/test-sp.js';

const SP = 'https://sp.demo.example.org/shibboleth';
const DENY_PROTECTED = 'p, *, group:protected, *, impersonate, deny\n';

let t: TestIdp;
let sp: TestSp;
let rp: TestRp;

beforeAll(async () => {
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': 'http://127.0.0.1:9' },
    conf: {
      'access-control/specific-impersonation.policy.csv': (old) => {
        expect(old).toContain(DENY_PROTECTED);
        return old.replace(DENY_PROTECTED, 'p, erin, *, *, impersonate, allow\n');
      },
      'access-control/general-impersonation.policy.csv': (old) =>
        old.replace('g, erin,', 'p, erin, *, demo-rp, impersonate, allow\n\ng, erin,'),
    },
  });
  sp = await TestSp.create(t.baseURL);
  rp = await demoRp(t);
});
afterAll(async () => t?.close());

async function samlForm(browser: Browser, username: string): Promise<Page> {
  const loginPage = await browser.get(await sp.loginURL());
  return browser.submit(
    loginPage,
    { j_username: username, j_password: `demo-${username}` },
    '_eventId_proceed',
  );
}

describe('a protected account', () => {
  it('is refused over SAML although the policy lets erin impersonate anyone: ProtectedImpersonationTarget, audited, nothing released', async () => {
    const browser = new Browser();
    const form = await samlForm(browser, 'erin');
    expect(form.html.querySelector('input[name=principal]')).not.toBeNull();
    const refused = await browser.submit(form, { principal: ' Admin ' }, '_eventId_impersonate');
    expect(refused.status).toBe(403);
    expect(refused.html.querySelector('h1')?.text).toBe('Protected Account');
    // The page says why and offers the way back to the service.
    expect(refused.body).toContain('the account is protected');
    expect(refused.body).toMatch(/Try again/);
    expect(hasSamlResponse(refused)).toBe(false);

    const audit = t.lastAudit();
    expect(audit).toMatchObject({
      e: 'ProtectedImpersonationTarget',
      u: 'erin',
      uu: '',
      SP,
      utc: 'admin',
      n: '',
      attr: '',
    });
    expect(decodeURIComponent(audit.ut)).toBe(' Admin ');
    await expect
      .poll(() => t.processLog())
      .toContain(
        `WARN [net.shibboleth.idp.profile.interceptor] - Impersonation by principal 'erin' as 'admin' to relying party '${SP}' refused: the account is protected`,
      );
  });

  it('leaves the same policy working for an account that is not protected', async () => {
    const browser = new Browser();
    const form = await samlForm(browser, 'erin');
    const profile = await sp.receive(
      await browser.submit(form, { principal: 'dave' }, '_eventId_impersonate'),
    );
    expect(profile.nameID).toBe('dave');
    expect(t.lastAudit()).toMatchObject({ u: 'dave', uu: 'erin', e: '' });
  });

  it('is refused over OIDC too: the Protected Account page at the IdP, no code for the client', async () => {
    const b = rpBrowser();
    const pending = await rp.authorize();
    const login = await b.get(pending.url);
    const form = await b.submit(
      login,
      { j_username: 'erin', j_password: 'demo-erin' },
      '_eventId_proceed',
    );
    expect(form.html.querySelector('input[name=principal]')).not.toBeNull();
    const refused = await b.submit(form, { principal: 'admin' }, '_eventId_impersonate');
    expect(refused.status).toBe(403);
    expect(refused.html.querySelector('h1')?.text).toBe('Protected Account');
    expect(refused.headers.get('location')).toBeNull();
    expect(t.lastAudit()).toMatchObject({
      e: 'ProtectedImpersonationTarget',
      u: 'erin',
      uu: '',
      SP: 'demo-rp',
      ut: 'admin',
      utc: 'admin',
      attr: '',
    });
  });
});
