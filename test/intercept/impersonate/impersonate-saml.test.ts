/**
 * The impersonate intercept end to end over SAML 2.0: a real IdP on loopback, a real SP
 * (@node-saml/node-saml) validating the signed responses, a browser-like client pressing the
 * buttons, and the audit log read back from disk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { attribute, hasSamlResponse, OID, TestSp } from '../../support/test-sp.js';

const SP = 'https://sp.demo.example.org/shibboleth';

let t: TestIdp;
let sp: TestSp;

beforeAll(async () => {
  t = await startTestIdp();
  sp = await TestSp.create(t.baseURL);
});
afterAll(async () => t?.close());

async function login(browser: Browser, username: string, password: string): Promise<Page> {
  const loginPage = await browser.get(await sp.loginURL());
  expect(loginPage.status).toBe(200);
  expect(loginPage.html.querySelector('input[name=j_username]')).not.toBeNull();
  return browser.submit(
    loginPage,
    { j_username: username, j_password: password },
    '_eventId_proceed',
  );
}

describe('impersonate intercept over SAML', () => {
  it('(a) lets an entitled user impersonate an allowed account: the SP gets the target, the audit log the real user', async () => {
    const browser = new Browser();
    const form = await login(browser, 'alice', 'demo-alice');
    expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
    expect(form.body).toContain('Demo SAML Service Provider');
    // alice's impersonatableUsernames are known, so the form offers them as a list.
    const options = form.html
      .querySelectorAll('select[name=principal] option')
      .map((o) => o.getAttribute('value'));
    expect(options).toEqual(['bob', 'carol']);

    const post = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
    const profile = await sp.receive(post);
    expect(profile.nameID).toBe('bob');
    expect(attribute(profile, OID.uid)).toEqual(['bob']);
    expect(attribute(profile, OID.mail)).toEqual(['bob@example.org']);
    expect(attribute(profile, OID.displayName)).toEqual(['Bob Builder']);
    expect(attribute(profile, OID.entitlement)).toEqual([]); // bob has none; alice's are not lent

    const audit = t.lastAudit();
    expect(audit.u).toBe('bob');
    expect(audit.uu).toBe('alice');
    expect(audit.ut).toBe('bob');
    expect(audit.utc).toBe('bob');
    expect(audit.SP).toBe(SP);
    expect(audit.n).toBe('bob');
    expect(audit.e).toBe('');
    expect(audit.S).toBe('Success');
    expect(audit.attr.split(',')).toEqual(expect.arrayContaining(['uid', 'mail', 'displayName']));
    expect(audit.i).toMatch(/^_[0-9a-f]{32}$/);
  });

  it('(b) refuses an account the specific policy does not allow: Access Denied, audited, nothing to the SP', async () => {
    const browser = new Browser();
    const form = await login(browser, 'erin', 'demo-erin'); // help desk: free text field
    expect(form.html.querySelector('input[name=principal]')).not.toBeNull();
    const denied = await browser.submit(form, { principal: 'admin' }, '_eventId_impersonate');
    expect(denied.status).toBe(403);
    expect(denied.html.querySelector('h1')?.text).toBe('Access Denied');
    expect(hasSamlResponse(denied)).toBe(false);

    const audit = t.lastAudit();
    expect(audit.e).toBe('ImpersonationViolation');
    expect(audit.u).toBe('erin');
    expect(audit.uu).toBe('');
    // The account asked for is in the record itself, not only in the process log.
    expect(audit.ut).toBe('admin');
    expect(audit.utc).toBe('admin');
    expect(audit.n).toBe('');
    expect(audit.attr).toBe('');
    await expect
      .poll(() => t.processLog())
      .toContain(
        "WARN [net.shibboleth.idp.profile.interceptor] - Unauthorized impersonation attempt by principal 'erin' as 'admin' to relying party 'https://sp.demo.example.org/shibboleth'",
      );
  });

  it('(b) also refuses alice an account outside her impersonatableUsernames', async () => {
    const browser = new Browser();
    const form = await login(browser, 'alice', 'demo-alice');
    const denied = await browser.submit(form, { principal: ' DAVE ' }, '_eventId_impersonate');
    expect(denied.status).toBe(403);
    expect(hasSamlResponse(denied)).toBe(false);
    // As typed (percent-encoded: the format separates nothing with spaces, but encodes what
    // could be mistaken for one) and as the account it names.
    expect(t.lastAudit()).toMatchObject({
      e: 'ImpersonationViolation',
      u: 'alice',
      uu: '',
      utc: 'dave',
    });
    expect(decodeURIComponent(t.lastAudit().ut)).toBe(' DAVE ');
  });

  it('(c) shows no form when the general policy denies, and the SP receives the real user', async () => {
    const browser = new Browser();
    const post = await login(browser, 'dave', 'demo-dave');
    const profile = await sp.receive(post);
    expect(profile.nameID).toBe('dave');
    expect(attribute(profile, OID.mail)).toEqual(['dave@example.org']);
    expect(t.lastAudit()).toMatchObject({ u: 'dave', uu: '', e: '', ut: '', utc: '' });
  });

  it('(d) runs the next SSO as the real user again, offering the form without asking for the password', async () => {
    const browser = new Browser();
    const first = await login(browser, 'alice', 'demo-alice');
    expect(
      (
        await sp.receive(
          await browser.submit(first, { principal: 'carol' }, '_eventId_impersonate'),
        )
      ).nameID,
    ).toBe('carol');

    const again = await browser.get(await sp.loginURL());
    expect(again.html.querySelector('input[name=j_password]')).toBeNull();
    expect(again.html.querySelector('h1')?.text).toBe('Account Impersonation');
    const profile = await sp.receive(await browser.submit(again, {}, '_eventId_proceed'));
    expect(profile.nameID).toBe('alice');
    expect(attribute(profile, OID.mail)).toEqual(['alice@example.org']);
    const audit = t.lastAudit();
    expect(audit).toMatchObject({ u: 'alice', uu: '', SSO: 'true' });
  });

  it('asks again for an empty or blank name (stricter than Shibboleth): the form with "Enter an account name", nothing to the SP, a refusal audited; then a real name works', async () => {
    const browser = new Browser();
    let page = await login(browser, 'erin', 'demo-erin'); // help desk: free text field
    for (const typed of ['', '   ', ' \t ']) {
      const released = t.auditRecords().length;
      page = await browser.submit(page, { principal: typed }, '_eventId_impersonate');
      expect(page.status).toBe(200);
      expect(page.html.querySelector('h1')?.text).toBe('Account Impersonation');
      expect(page.html.querySelector('.error')?.text).toBe('Enter an account name.');
      expect(hasSamlResponse(page)).toBe(false);
      const records = t.auditRecords().slice(released).map(auditRecord);
      expect(records.map((r) => r.act)).toEqual(['refuse']); // no release, no choose, no new offer
      expect(t.lastAudit()).toMatchObject({
        act: 'refuse',
        e: 'InvalidImpersonationName',
        det: 'problem=empty',
        u: 'erin',
        uu: '',
        utc: '',
        SP,
      });
      expect(decodeURIComponent(t.lastAudit().ut)).toBe(typed);
    }
    await expect
      .poll(() => t.processLog())
      .toContain("refused: requested name '' is not an account name (empty)");

    const profile = await sp.receive(
      await browser.submit(page, { principal: 'bob' }, '_eventId_impersonate'),
    );
    expect(profile.nameID).toBe('bob');
    expect(t.lastAudit()).toMatchObject({ act: 'release', u: 'bob', uu: 'erin', ut: 'bob' });
  });

  it('marks the refused field for assistive technology: aria-invalid, described by the message', async () => {
    const browser = new Browser();
    let page = await login(browser, 'erin', 'demo-erin');
    const field = (p: Page) => p.html.querySelector('input#impersonation')!;
    expect(field(page).getAttribute('aria-invalid')).toBeUndefined();
    expect(field(page).getAttribute('aria-describedby')).toBeUndefined();
    for (const typed of ['', 'b*']) {
      page = await browser.submit(page, { principal: typed }, '_eventId_impersonate');
      const error = page.html.querySelector('p.error')!;
      expect(error.id).toBe('impersonate-error');
      expect(field(page).getAttribute('aria-invalid')).toBe('true');
      expect(field(page).getAttribute('aria-describedby')).toBe(error.id);
      expect(page.html.querySelectorAll(`#${error.id}`)).toHaveLength(1);
    }

    // alice's form is a select list: a refused submission marks the list.
    const alice = new Browser();
    const form = await login(alice, 'alice', 'demo-alice');
    const list = (p: Page) => p.html.querySelector('select#impersonation')!;
    expect(list(form).getAttribute('aria-invalid')).toBeUndefined();
    const refused = await alice.submit(form, { principal: '' }, '_eventId_impersonate');
    expect(list(refused).getAttribute('aria-invalid')).toBe('true');
    expect(list(refused).getAttribute('aria-describedby')).toBe('impersonate-error');
  });

  it('continues as self for the own name, in any spelling', async () => {
    const browser = new Browser();
    const form = await login(browser, 'erin', 'demo-erin');
    const own = await sp.receive(
      await browser.submit(form, { principal: ' ERIN ' }, '_eventId_impersonate'),
    );
    expect(own.nameID).toBe('erin');
    expect(t.lastAudit()).toMatchObject({ u: 'erin', uu: '' });
  });

  it('fails clearly, audited and with nothing released, for an allowed name that is no account', async () => {
    const browser = new Browser();
    const form = await login(browser, 'erin', 'demo-erin');
    const page = await browser.submit(form, { principal: 'nobody' }, '_eventId_impersonate');
    expect(page.status).toBe(404);
    expect(page.html.querySelector('h1')?.text).toBe('No Such Account');
    expect(hasSamlResponse(page)).toBe(false);
    expect(t.lastAudit()).toMatchObject({
      e: 'UnknownImpersonationTarget',
      u: 'erin',
      uu: '',
      ut: 'nobody',
      utc: 'nobody',
    });
  });
});
