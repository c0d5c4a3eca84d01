/**
 * The README's walk-through in a real browser (Chromium): the IdP and the demo SP as `npm start`
 * runs them, and a person clicking through cases (a)–(d). This also proves the pages work under
 * the IdP's Content-Security-Policy (the auto-submitting response form, form-action).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launchChromium } from '../support/chromium.js';
import { startIdpWithDemoApps, type IdpWithDemoApps } from '../support/demo-apps.js';
import { auditRecord, type TestIdp } from '../support/test-idp.js';

describe.skipIf(!browserAvailable)('README walk-through in Chromium', () => {
  let apps: IdpWithDemoApps;
  let t: TestIdp;
  let spURL: string;
  let rpURL: string;
  let browser: Browser;

  beforeAll(async () => {
    apps = await startIdpWithDemoApps();
    ({ t, spURL, rpURL } = apps);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await apps?.close();
  });

  async function signIn(page: Page, user: string, start = `${spURL}/`): Promise<void> {
    await page.goto(start);
    await page.click('#login');
    await page.fill('input[name=j_username]', user);
    await page.fill('input[name=j_password]', `demo-${user}`);
    await page.click('button[name=_eventId_proceed]');
  }

  it('(a) alice impersonates bob and the demo SP shows bob; (d) the next sign-in is alice again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'alice');
    await expect.poll(() => page.textContent('h1')).toBe('Account Impersonation');
    await page.selectOption('select[name=principal]', 'bob');
    await page.click('button[name=_eventId_impersonate]');
    await page.waitForURL(`${spURL}/saml/acs`);
    expect(await page.textContent('#nameid')).toBe('bob');
    expect(await page.textContent('tr[data-attribute=mail] td:last-child')).toBe('bob@example.org');

    // (d) "Sign in again": no password, the form again, "Continue normally" → alice.
    await page.click('text=Sign in again');
    await expect.poll(() => page.textContent('h1')).toBe('Account Impersonation');
    await page.click('button[name=_eventId_proceed]');
    await page.waitForURL(`${spURL}/saml/acs`);
    expect(await page.textContent('#nameid')).toBe('alice');
    await context.close();

    const records = t.auditRecords().map(auditRecord);
    expect(records.some((r) => r.u === 'bob' && r.uu === 'alice')).toBe(true);
    expect(records[records.length - 1]).toMatchObject({ u: 'alice', uu: '' });
  });

  it('(b) erin asking for admin gets Access Denied and the SP receives nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'erin');
    await page.fill('input[name=principal]', 'admin');
    await page.click('button[name=_eventId_impersonate]');
    await expect.poll(() => page.textContent('h1')).toBe('Access Denied');
    expect(page.url()).toContain(t.baseURL);
    await context.close();
  });

  it('(c) dave is never offered the form and lands at the SP as dave', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'dave');
    await page.waitForURL(`${spURL}/saml/acs`);
    expect(await page.textContent('#nameid')).toBe('dave');
    await context.close();
  });

  it('OIDC: alice impersonates bob at the demo client, then signs in again as herself', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'alice', `${rpURL}/`);
    await expect.poll(() => page.textContent('h1')).toBe('Account Impersonation');
    expect(await page.textContent('.service')).toContain('Demo OpenID Connect Client');
    await page.selectOption('select[name=principal]', 'bob');
    await page.click('button[name=_eventId_impersonate]');
    await page.waitForURL(`${rpURL}/callback*`);
    expect(await page.textContent('#sub')).toBe('bob');
    expect(JSON.parse((await page.textContent('#userinfo'))!)).toMatchObject({
      sub: 'bob',
      email: 'bob@example.org',
    });
    expect(JSON.parse((await page.textContent('#introspection'))!)).toMatchObject({
      active: true,
      sub: 'bob',
    });
    expect(Number(await page.textContent('#expires-in'))).toBeLessThanOrEqual(600);

    await page.click('text=Sign in again');
    await expect.poll(() => page.textContent('h1')).toBe('Account Impersonation');
    await page.click('button[name=_eventId_proceed]');
    await page.waitForURL(`${rpURL}/callback*`);
    expect(await page.textContent('#sub')).toBe('alice');
    await context.close();
  });
});
