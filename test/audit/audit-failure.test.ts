/**
 * (h) Fail closed on the audit sink: when the audit record cannot be written (here /dev/full, a
 * disk with no space left), the request ends with an error page and the SP receives nothing — and
 * a login is not even a login.
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

  it('signs nobody in when the login cannot be recorded: the next request asks for the password again', async () => {
    // Every login is audited before its IdP session starts (login-audit.ts), so with this sink
    // no request ever gets as far as the impersonate form or a violation.
    const browser = new Browser();
    const page = await login(browser, 'alice');
    expect(page.status).toBe(500);
    expect(page.html.querySelector('h1')?.text).toBe('Not Recorded');
    expect(page.body).not.toContain('Account Impersonation');
    const again = await browser.get(await sp.loginURL());
    expect(again.html.querySelector('input[name=j_password]')).not.toBeNull();
    await expect.poll(() => t.processLog()).toContain('AUDIT_WRITE_FAILED');
  });
});
