/**
 * The SAML 2.0 front-end against @node-saml/node-saml: metadata, both request bindings, signed
 * requests, ForceAuthn and IsPassive, RelayState, and refusal of unknown, malformed or
 * mis-addressed requests.
 */
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { Browser, type Page } from '../../support/browser.js';
import {
  DEFAULT_AUDIT_FIELDS,
  auditRecord,
  startTestIdp,
  type TestIdp,
} from '../../support/test-idp.js';
import { hasSamlResponse, responseFields, responseXml, TestSp } from '../../support/test-sp.js';

const SIGNED_SP = 'https://signed-sp.example.org/shibboleth';
const BROKEN_SP = 'https://broken-sp.example.org/shibboleth';

let t: TestIdp;
let sp: TestSp;
let spKey: string;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'signed-sp' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  spKey = pems.private;
  t = await startTestIdp({
    conf: {
      'signed-sp.crt': pems.cert,
      'relying-party.yaml': (old) =>
        old.replace(
          '\noidcClients:',
          `
  - entityID: ${SIGNED_SP}
    displayName: Signed SP
    assertionConsumerServiceURL: https://signed-sp.example.org/acs
    signingCertificate: signed-sp.crt
  - entityID: ${BROKEN_SP}
    displayName: Broken SP
    assertionConsumerServiceURL: https://broken-sp.example.org/acs
    postAuthenticationFlows: [impersonate, no-such-flow]

oidcClients:`,
        ),
    },
  });
  sp = await TestSp.create(t.baseURL);
});
afterAll(async () => t?.close());

async function login(browser: Browser, page: Page, user: string): Promise<Page> {
  return browser.submit(page, { j_username: user, j_password: `demo-${user}` }, '_eventId_proceed');
}

describe('metadata', () => {
  it('is published at /idp/shibboleth with the signing certificate and both SSO bindings', async () => {
    const res = await fetch(`${t.baseURL}/idp/shibboleth`);
    expect(res.headers.get('content-type')).toContain('application/samlmetadata+xml');
    const xml = await res.text();
    expect(xml).toContain(`entityID="${t.baseURL}/idp/shibboleth"`);
    expect(xml).toContain('X509Certificate');
    expect(xml).toContain(`Location="${t.baseURL}/idp/profile/SAML2/Redirect/SSO"`);
    expect(xml).toContain(`Location="${t.baseURL}/idp/profile/SAML2/POST/SSO"`);
  });
});

describe('bindings and RelayState', () => {
  it('round-trips RelayState over the Redirect binding', async () => {
    const browser = new Browser();
    const post = await login(
      browser,
      await browser.get(await sp.loginURL('state-with-|-and-%')),
      'dave',
    );
    expect(responseFields(post).RelayState).toBe('state-with-|-and-%');
    expect((await sp.receive(post)).nameID).toBe('dave');
  });

  it('accepts the POST binding, re-entering with a GET so the session cookie is seen', async () => {
    const browser = new Browser();
    const first = await login(browser, await browser.get(await sp.loginURL()), 'dave');
    expect(hasSamlResponse(first)).toBe(true);
    const postSp = await TestSp.create(t.baseURL, { postBinding: true });
    const fields = await postSp.loginForm('post-relay');
    const second = await browser.post(`${t.baseURL}/idp/profile/SAML2/POST/SSO`, fields);
    expect(second.html.querySelector('input[name=j_password]')).toBeNull(); // SSO, no password
    const profile = await postSp.receive(second);
    expect(profile.nameID).toBe('dave');
    expect(responseFields(second).RelayState).toBe('post-relay');
    expect(t.lastAudit()).toMatchObject({
      b: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      SSO: 'true',
    });
  });
});

describe('refused requests', () => {
  it('refuses a request from an unknown service provider with a local error', async () => {
    const unknown = await TestSp.create(t.baseURL, { entityID: 'https://unknown.example.org/sp' });
    const page = await new Browser().get(await unknown.loginURL());
    expect(page.status).toBe(400);
    expect(page.html.querySelector('h1')?.text).toBe('Unknown Service');
    expect(page.body).toContain('https://unknown.example.org/sp');
  });

  it.each([
    ['no SAMLRequest', ''],
    ['not base64 deflate', 'SAMLRequest=%%%garbage'],
    ['not XML', `SAMLRequest=${encodeURIComponent(deflateRawSync('hello').toString('base64'))}`],
    [
      'not an AuthnRequest',
      `SAMLRequest=${encodeURIComponent(deflateRawSync('<a xmlns="urn:x"/>').toString('base64'))}`,
    ],
    [
      'a DTD (XXE)',
      `SAMLRequest=${encodeURIComponent(deflateRawSync('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&e;</samlp:AuthnRequest>').toString('base64'))}`,
    ],
  ])('refuses a malformed request (%s)', async (_what, query) => {
    const page = await new Browser().get(`${t.baseURL}/idp/profile/SAML2/Redirect/SSO?${query}`);
    expect(page.status).toBe(400);
    expect(page.html.querySelector('h1')?.text).toBe('Invalid Request');
    expect(page.body).not.toContain('root:');
  });

  it('refuses an AssertionConsumerServiceURL other than the configured one', async () => {
    const evil = await TestSp.create(t.baseURL, { acsURL: 'https://evil.example.net/acs' });
    const page = await new Browser().get(await evil.loginURL());
    expect(page.status).toBe(400);
    expect(page.body).toContain('AssertionConsumerServiceURL');
  });

  it('fails requests of an SP whose postAuthenticationFlows names an unknown flow', async () => {
    const broken = await TestSp.create(t.baseURL, {
      entityID: BROKEN_SP,
      acsURL: 'https://broken-sp.example.org/acs',
    });
    const browser = new Browser();
    const page = await login(browser, await browser.get(await broken.loginURL()), 'alice');
    expect(page.status).toBe(500);
    expect(page.html.querySelector('h1')?.text).toBe('Configuration Error');
    expect(hasSamlResponse(page)).toBe(false);
    await expect
      .poll(() => t.processLog())
      .toContain("lists unknown intercept flow(s) 'no-such-flow'");
  });
});

describe('signed AuthnRequests', () => {
  it('accepts a request signed with the SP certificate from conf', async () => {
    const signed = await TestSp.create(t.baseURL, {
      entityID: SIGNED_SP,
      acsURL: 'https://signed-sp.example.org/acs',
      privateKey: spKey,
    });
    const browser = new Browser();
    const url = await signed.loginURL();
    expect(url).toContain('Signature=');
    const post = await login(browser, await browser.get(url), 'dave');
    expect((await signed.receive(post)).nameID).toBe('dave');
    expect(t.lastAudit()).toMatchObject({ SP: SIGNED_SP, XX: 'true' });
  });

  it('refuses an unsigned or tampered request when the SP must sign', async () => {
    const unsigned = await TestSp.create(t.baseURL, {
      entityID: SIGNED_SP,
      acsURL: 'https://signed-sp.example.org/acs',
    });
    const page = await new Browser().get(await unsigned.loginURL());
    expect(page.status).toBe(400);
    expect(page.html.querySelector('h1')?.text).toBe('Invalid Request');
    expect(page.body).toContain('signature');

    const signed = await TestSp.create(t.baseURL, {
      entityID: SIGNED_SP,
      acsURL: 'https://signed-sp.example.org/acs',
      privateKey: spKey,
    });
    const tampered = (await signed.loginURL('a')).replace('RelayState=a', 'RelayState=b');
    expect((await new Browser().get(tampered)).status).toBe(400);
  });
});

describe('ForceAuthn and IsPassive', () => {
  it('asks for the password again on ForceAuthn', async () => {
    const browser = new Browser();
    await login(browser, await browser.get(await sp.loginURL()), 'dave');
    const forced = await TestSp.create(t.baseURL, { forceAuthn: true });
    const page = await browser.get(await forced.loginURL());
    expect(page.html.querySelector('input[name=j_password]')).not.toBeNull();
    const profile = await forced.receive(await login(browser, page, 'dave'));
    expect(profile.nameID).toBe('dave');
    expect(t.lastAudit().SSO).toBe('false');
  });

  it('answers NoPassive to a passive request without a session', async () => {
    const passive = await TestSp.create(t.baseURL, { passive: true });
    const page = await new Browser().get(await passive.loginURL());
    expect((await passive.validate(page)).profile).toBeNull(); // node-saml: "passive and not signed in"
    expect(responseXml(page)).toContain('Value="urn:oasis:names:tc:SAML:2.0:status:NoPassive"');
    expect(t.lastAudit()).toMatchObject({ e: 'NoPassive', S: 'Responder', SS: 'NoPassive' });
  });

  it('answers NoPassive rather than showing the impersonate form to a passive request', async () => {
    const browser = new Browser();
    await browser.submit(
      await login(browser, await browser.get(await sp.loginURL()), 'alice'),
      {},
      '_eventId_proceed',
    );
    const passive = await TestSp.create(t.baseURL, { passive: true });
    const page = await browser.get(await passive.loginURL());
    expect((await passive.validate(page)).profile).toBeNull();
    expect(responseXml(page)).toContain('status:NoPassive');
    expect(t.lastAudit()).toMatchObject({ e: 'NoPassive', u: 'alice', uu: '' });
  });

  it('signs in passively when there is a session and nothing to show', async () => {
    const browser = new Browser();
    await login(browser, await browser.get(await sp.loginURL()), 'dave');
    const passive = await TestSp.create(t.baseURL, { passive: true });
    expect((await passive.receive(await browser.get(await passive.loginURL()))).nameID).toBe(
      'dave',
    );
  });
});

describe('login and session', () => {
  it('regenerates the session at login and sets an httpOnly, SameSite=Lax cookie scoped to /idp', async () => {
    const browser = new Browser();
    const page = await browser.get(await sp.loginURL());
    const before = browser.cookies(t.baseURL).find((c) => c.name === 'shib_idp_session')?.value;
    expect(before).toBeDefined();
    const { action, fields } = browser.form(page);
    const res = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `shib_idp_session=${before}`,
      },
      body: new URLSearchParams({
        ...fields,
        j_username: 'dave',
        j_password: 'demo-dave',
        _eventId_proceed: 'x',
      }).toString(),
    });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('shib_idp_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\/idp/);
    expect(setCookie.split(';')[0]!.split('=')[1]).not.toBe(before);
  });

  it('says so on a wrong password and locks the account after repeated failures', async () => {
    const browser = new Browser();
    let page = await browser.get(await sp.loginURL());
    for (let i = 0; i < 5; i++) {
      page = await browser.submit(
        page,
        { j_username: 'carol', j_password: 'wrong' },
        '_eventId_proceed',
      );
      expect(page.html.querySelector('.error')?.text).toBe('The username or password is wrong.');
    }
    page = await browser.submit(
      page,
      { j_username: 'carol', j_password: 'demo-carol' },
      '_eventId_proceed',
    );
    expect(page.html.querySelector('.error')?.text).toContain('Too many failed logins');
    // A lockout refuses no field: nothing is marked invalid.
    expect(page.html.querySelectorAll('[aria-invalid]')).toHaveLength(0);
    await expect.poll(() => t.processLog()).toContain("Login by 'carol' failed");
    expect(t.processLog()).not.toContain('demo-carol');
  });

  it('marks the refused login fields aria-invalid, described by the message', async () => {
    const browser = new Browser();
    const fields = (page: Page) =>
      ['#username', '#password'].map((id) => {
        const input = page.html.querySelector(id)!;
        return [input.getAttribute('aria-invalid'), input.getAttribute('aria-describedby')];
      });
    let page = await browser.get(await sp.loginURL());
    expect(page.html.querySelector('.error')).toBeNull();
    expect(fields(page)).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
    // A wrong password: the IdP never says which of the two is wrong, so both are marked.
    page = await browser.submit(
      page,
      { j_username: 'bob', j_password: 'wrong' },
      '_eventId_proceed',
    );
    const error = page.html.querySelector('p.error')!;
    expect(error.text).toBe('The username or password is wrong.');
    expect(error.id).toBe('login-error');
    expect(fields(page)).toEqual([
      ['true', 'login-error'],
      ['true', 'login-error'],
    ]);
    // A password no account can have: only the password is marked.
    page = await browser.submit(
      page,
      { j_username: 'bob', j_password: 'a\u0000b' },
      '_eventId_proceed',
    );
    expect(page.html.querySelector('p.error')?.text).toContain('control characters');
    expect(fields(page)).toEqual([
      [undefined, undefined],
      ['true', 'login-error'],
    ]);
  });

  it('puts the assertion consumer origin, and nothing else, into form-action of the response page', async () => {
    const browser = new Browser();
    const post = await login(browser, await browser.get(await sp.loginURL()), 'dave');
    const csp = post.headers.get('content-security-policy')!;
    expect(csp).toContain("form-action 'self' http://127.0.0.1:9");
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(post.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('keeps a hostile user agent inside its audit field', async () => {
    const browser = new Browser();
    const page = await browser.get(await sp.loginURL());
    const { action, fields } = browser.form(page);
    const cookie = browser
      .cookies(t.baseURL)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const res = await fetch(action, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie,
        'user-agent': 'evil|agent,with%separators',
      },
      body: new URLSearchParams({
        ...fields,
        j_username: 'dave',
        j_password: 'demo-dave',
        _eventId_proceed: 'x',
      }).toString(),
    });
    expect(res.status).toBe(200);
    const records = t.auditRecords();
    const fieldsOfLast = records[records.length - 1]!;
    expect(fieldsOfLast).toHaveLength(DEFAULT_AUDIT_FIELDS.length);
    expect(auditRecord(fieldsOfLast).UA).toBe('evil%7Cagent%2Cwith%25separators');
    expect(decodeURIComponent(auditRecord(fieldsOfLast).UA)).toBe('evil|agent,with%separators');
  });
});
