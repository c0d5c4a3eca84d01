/**
 * Logout in a real browser (Chromium), where the IdP's Content-Security-Policy counts: a browser
 * holds a whole redirect chain that began at a form to that form page's form-action ('self'), so a
 * logout that 303-redirected from the "Who am I" sign-out or the OIDC "Sign out?" form to another
 * site was blocked. Each case ends when the browser reaches the other site's URL: the demo SP has no
 * logout endpoint of its own, and only the navigation is under test here (the messages themselves
 * are tested with node-saml in test/frontend/saml/logout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launchChromium } from '../support/chromium.js';
import { startIdpWithDemoApps, type IdpWithDemoApps } from '../support/demo-apps.js';
import type { TestIdp } from '../support/test-idp.js';

describe.skipIf(!browserAvailable)('logout in Chromium', () => {
  let apps: IdpWithDemoApps;
  let t: TestIdp;
  let spURL: string;
  let rpURL: string;
  let browser: Browser;

  beforeAll(async () => {
    apps = await startIdpWithDemoApps({
      'relying-party.yaml': (old) =>
        old
          .replace(
            '    assertionConsumerServiceURL: "%{demo.sp.baseURL}/saml/acs"\n',
            '    assertionConsumerServiceURL: "%{demo.sp.baseURL}/saml/acs"\n' +
              '    singleLogoutServiceURL: "%{demo.sp.baseURL}/saml/slo"\n' +
              '    wantLogoutMessagesSigned: false\n',
          )
          .replace(
            '    redirectUris: ["%{demo.oidc.baseURL}/callback"]\n',
            '    redirectUris: ["%{demo.oidc.baseURL}/callback"]\n' +
              '    postLogoutRedirectUris: ["%{demo.oidc.baseURL}/signed-out"]\n',
          ),
    });
    ({ t, spURL, rpURL } = apps);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await apps?.close();
  });

  async function passwordLogin(page: Page, user: string): Promise<void> {
    await page.fill('input[name=j_username]', user);
    await page.fill('input[name=j_password]', `demo-${user}`);
    await page.click('button[name=_eventId_proceed]');
  }

  /** alice at the demo SP as bob: the SP is a participant of her IdP session, with bob's NameID. */
  async function samlAsBob(page: Page, password: boolean): Promise<void> {
    await page.goto(`${spURL}/`);
    await page.click('#login');
    if (password) await passwordLogin(page, 'alice');
    await expect.poll(() => page.textContent('h1')).toBe('Account Impersonation');
    await page.selectOption('select[name=principal]', 'bob');
    await page.click('button[name=_eventId_impersonate]');
    await page.waitForURL(`${spURL}/saml/acs`);
    expect(await page.textContent('#nameid')).toBe('bob');
  }

  /** Signed in at the demo OIDC client (alice continues as herself on the impersonate form). */
  async function oidcSignIn(page: Page, user: string): Promise<void> {
    await page.goto(`${rpURL}/`);
    await page.click('#login');
    await passwordLogin(page, user);
    if (user === 'alice') {
      await expect.poll(() => page.textContent('h1')).toBe('Account Impersonation');
      await page.click('button[name=_eventId_proceed]');
    }
    await page.waitForURL(`${rpURL}/callback*`);
  }

  const endSession = (query = '') =>
    `${t.baseURL}/idp/profile/oidc/logout?client_id=${encodeURIComponent(t.idp.config.properties.demo.oidc.clientId)}${query}`;

  const atSpLogout = (url: URL) =>
    `${url.origin}${url.pathname}` === `${spURL}/saml/slo` && url.searchParams.has('SAMLRequest');

  async function needsPassword(page: Page): Promise<boolean> {
    await page.goto(`${spURL}/`);
    await page.click('#login');
    await expect.poll(() => page.textContent('h1')).toMatch(/Login|Account Impersonation/);
    return (await page.locator('input[name=j_password]').count()) === 1;
  }

  it('"Who am I" → Sign out ends the session and takes the browser to the SP that got bob', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await samlAsBob(page, true);
    await page.goto(`${t.baseURL}/idp/profile/whoami`);
    await page.click('form.sign-out button[type=submit]');
    await page.waitForURL(atSpLogout);
    expect(await needsPassword(page)).toBe(true);
    await context.close();
  });

  it('OIDC "Sign out?" → Yes goes on to the SAML participant', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await oidcSignIn(page, 'alice');
    await samlAsBob(page, false);
    await page.goto(endSession());
    await page.click('button[name=logout]');
    await page.waitForURL(atSpLogout);
    expect(await needsPassword(page)).toBe(true);
    await context.close();
  });

  it('OIDC "Sign out?" → Yes, with no SAML participant, reaches the client\'s post-logout URI', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await oidcSignIn(page, 'bob');
    const after = `${rpURL}/signed-out`;
    await page.goto(endSession(`&post_logout_redirect_uri=${encodeURIComponent(after)}&state=s1`));
    await page.click('button[name=logout]');
    await page.waitForURL(`${after}?state=s1`);
    await context.close();
  });
});
