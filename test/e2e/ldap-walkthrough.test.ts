/**
 * The IdP on an LDAP directory end to end (a real slapd holding the demo accounts): a SAML sign-in
 * checks the password by bind and releases the attributes read from LDAP, impersonation resolves
 * its target there; with slapd stopped, a login and an impersonation end with the directory's 503
 * page and nothing is released — and once slapd is back, the same IdP signs people in again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../support/browser.js';
import { audits, isImpersonateForm, samlSignIn } from '../support/impersonate-pages.js';
import { startSlapd, type Slapd } from '../support/slapd.js';
import { serversAvailable } from '../support/system-servers.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { attribute, hasSamlResponse, OID, TestSp } from '../support/test-sp.js';

let slapd: Slapd;
let t: TestIdp;
let sp: TestSp;

function releases() {
  return audits(t).filter((r) => r.act === 'release');
}

function isDirectoryFailurePage(page: Page): boolean {
  return (
    page.status === 503 &&
    !hasSamlResponse(page) &&
    page.html.querySelector('h1')?.text === 'Temporarily Unavailable' &&
    page.body.includes('The user directory could not be reached.')
  );
}

describe.runIf(serversAvailable('slapd'))('an IdP with idp.directory.type = ldap', () => {
  beforeAll(async () => {
    slapd = await startSlapd();
    t = await startTestIdp({
      properties: {
        ...slapd.properties,
        'idp.authn.LDAP.responseTimeout': 'PT2S',
        'idp.authn.LDAP.connectTimeout': 'PT2S',
      },
    });
    sp = await TestSp.create(t.baseURL);
  });
  afterAll(async () => {
    await t?.close();
    await slapd?.close();
  });

  it('signs a user in by bind and releases the attributes read from LDAP', async () => {
    const page = await samlSignIn(new Browser(), sp, 'dave');
    const profile = await sp.receive(page);
    expect(profile.nameID).toBe('dave');
    expect(attribute(profile, OID.mail)).toEqual(['dave@example.org']);
    expect(attribute(profile, OID.displayName)).toEqual(['Dave Developer']);
    expect(releases().at(-1)).toMatchObject({
      u: 'dave',
      SP: 'https://sp.demo.example.org/shibboleth',
    });
  });

  it('refuses a wrong password at the login form', async () => {
    const b = new Browser();
    const login = await b.get(await sp.loginURL());
    const page = await b.submit(
      login,
      { j_username: 'dave', j_password: 'demo-bob' },
      '_eventId_proceed',
    );
    expect(hasSamlResponse(page)).toBe(false);
    expect(page.html.querySelector('input[name=j_password]')).not.toBeNull();
  });

  it('resolves an impersonation target in LDAP', async () => {
    const b = new Browser();
    const form = await samlSignIn(b, sp, 'alice');
    expect(isImpersonateForm(form)).toBe(true);
    const page = await b.submit(
      form,
      { principal: 'bob', level: 'impersonate' },
      '_eventId_impersonate',
    );
    const profile = await sp.receive(page);
    expect(profile.nameID).toBe('bob');
    expect(attribute(profile, OID.mail)).toEqual(['bob@example.org']);
  });

  it('with slapd stopped: the login and the impersonation end with the 503 page, nothing is released; then it recovers', async () => {
    // alice reaches the impersonate form while the directory is up.
    const tester = new Browser();
    const form = await samlSignIn(tester, sp, 'alice');
    expect(isImpersonateForm(form)).toBe(true);
    const visitor = new Browser();
    const loginPage = await visitor.get(await sp.loginURL());
    const released = releases().length;

    await slapd.stop();
    try {
      const login = await visitor.submit(
        loginPage,
        { j_username: 'dave', j_password: 'demo-dave' },
        '_eventId_proceed',
      );
      expect(isDirectoryFailurePage(login)).toBe(true);
      expect(audits(t).at(-1)).toMatchObject({ act: 'login', u: 'dave', e: 'DirectoryFailure' });

      const impersonation = await tester.submit(
        form,
        { principal: 'bob', level: 'impersonate' },
        '_eventId_impersonate',
      );
      expect(isDirectoryFailurePage(impersonation)).toBe(true);
      expect(releases().length).toBe(released);
      // The form's answer re-checks alice's own account first (recheck-subject.ts): the directory
      // fails there, before the target is looked up; the refusal is on record, nothing released.
      expect(audits(t).at(-1)).toMatchObject({ act: 'refuse', u: 'alice', e: 'DirectoryFailure' });
    } finally {
      await slapd.restart();
    }

    // The same IdP, no restart: the directory is used again.
    const again = await sp.receive(await samlSignIn(new Browser(), sp, 'dave'));
    expect(again.nameID).toBe('dave');
    expect(releases().length).toBe(released + 1);
  });
});
