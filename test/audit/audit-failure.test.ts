/**
 * (h) Fail closed on the audit sink: when the audit record cannot be written (here /dev/full, a
 * disk with no space left), the request ends with an error page and the SP receives nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { hasSamlResponse, TestSp } from '../support/test-sp.js';

describe('(h) audit sink that cannot write', () => {
  let t: TestIdp;
  let sp: TestSp;
  beforeAll(async () => {
    t = await startTestIdp({ properties: { 'idp.audit.file': '/dev/full' } });
    sp = await TestSp.create(t.baseURL);
  });
  afterAll(async () => t?.close());

  async function login(browser: Browser, user: string) {
    const page = await browser.get(await sp.loginURL());
    return browser.submit(
      page,
      { j_username: user, j_password: `demo-${user}` },
      '_eventId_proceed',
    );
  }

  it('releases nothing for a plain sign-in', async () => {
    const page = await login(new Browser(), 'dave');
    expect(page.status).toBe(500);
    expect(page.html.querySelector('h1')?.text).toBe('Not Recorded');
    expect(hasSamlResponse(page)).toBe(false);
  });

  it('releases nothing for an impersonation', async () => {
    const browser = new Browser();
    const form = await login(browser, 'alice');
    const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
    expect(page.status).toBe(500);
    expect(hasSamlResponse(page)).toBe(false);
    expect(page.body).not.toContain('bob@example.org');
  });

  it('still shows the violation as an error, without pretending it was recorded', async () => {
    const browser = new Browser();
    const form = await login(browser, 'erin');
    const page = await browser.submit(form, { principal: 'admin' }, '_eventId_impersonate');
    expect(page.status).toBe(500);
    expect(page.html.querySelector('h1')?.text).toBe('Not Recorded');
    await expect.poll(() => t.processLog()).toContain('AUDIT_WRITE_FAILED');
  });
});
