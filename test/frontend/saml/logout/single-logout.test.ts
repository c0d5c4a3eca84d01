/**
 * SAML Single Logout over HTTP with real node-saml SPs (issue 11 item 4). SP1 (the demo SP, signing
 * its messages, logout endpoint by HTTP-Redirect, transient NameIDs) and SP2 (signing, logout by
 * HTTP-POST). An SP's signed LogoutRequest — by Redirect or POST — for the NameID it was given
 * ends the IdP session (the next SSO asks for a password) and is answered by a signed
 * LogoutResponse node-saml accepts; the other participant is told first with a signed
 * LogoutRequest for its own NameID. Under impersonation that NameID is the target's: the request
 * naming bob's transient id ends alice's session. Unsigned requests are refused where
 * wantLogoutMessagesSigned; a NameID the session never gave gets UnknownPrincipal and the session
 * is kept. Every step is audited.
 */
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import type { Profile } from '@node-saml/node-saml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, onwardURL, type Page } from '../../../support/browser.js';
import { audits, isImpersonateForm, samlSignIn } from '../../../support/impersonate-pages.js';
import { keyPair, type KeyPair } from '../../../support/key-pair.js';
import { postFields, redirectXml, signXml } from '../../../support/saml-messages.js';
import { startTestIdp, type TestIdp } from '../../../support/test-idp.js';
import { TestSp } from '../../../support/test-sp.js';

const SP1 = 'https://sp.demo.example.org/shibboleth';
const SP2 = 'https://sp2.example.org/shibboleth';
const SP_HOST = 'http://127.0.0.1:9';
const SP1_SLO = `${SP_HOST}/sp1/slo`;
const SP2_SLO = `${SP_HOST}/sp2/slo`;
const SP2_ACS = `${SP_HOST}/sp2/acs`;
/** An SP without a certificate, allowed to send unsigned logout messages. */
const SP3 = 'https://sp3.example.org/shibboleth';
const SP3_ACS = `${SP_HOST}/sp3/acs`;
const SP3_SLO = `${SP_HOST}/sp3/slo`;
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

let t: TestIdp;
let sp1Keys: KeyPair;
let sp2Keys: KeyPair;

beforeAll(async () => {
  [sp1Keys, sp2Keys] = await Promise.all([keyPair('sp1'), keyPair('sp2')]);
  t = await startTestIdp({
    conf: {
      'sp1.crt': sp1Keys.certPem,
      'sp2.crt': sp2Keys.certPem,
      'relying-party.yaml': (old) =>
        old.replace(
          '    nameIDFormat: unspecified\n    postAuthenticationFlows: [impersonate]\n',
          () =>
            '    nameIDFormat: transient\n' +
            '    signingCertificate: sp1.crt\n' +
            `    singleLogoutServiceURL: "${SP1_SLO}"\n` +
            '    postAuthenticationFlows: [impersonate]\n' +
            `  - entityID: "${SP2}"\n    assertionConsumerServiceURL: "${SP2_ACS}"\n` +
            '    nameIDFormat: transient\n' +
            '    signingCertificate: sp2.crt\n' +
            `    singleLogoutServiceURL: "${SP2_SLO}"\n` +
            '    singleLogoutServiceBinding: post\n' +
            `  - entityID: "${SP3}"\n    assertionConsumerServiceURL: "${SP3_ACS}"\n` +
            '    wantLogoutMessagesSigned: false\n' +
            `    singleLogoutServiceURL: "${SP3_SLO}"\n`,
        ),
    },
  });
});
afterAll(async () => t?.close());

const sp1 = () => TestSp.create(t.baseURL, { privateKey: sp1Keys.privatePem, singleLogout: true });
const sp2 = () =>
  TestSp.create(t.baseURL, {
    entityID: SP2,
    acsURL: SP2_ACS,
    privateKey: sp2Keys.privatePem,
    singleLogout: true,
  });

/** A browser that stops at anything sent to the SPs. */
function browser(): Browser {
  const b = new Browser();
  b.stopAt.push(`${SP_HOST}/`);
  return b;
}

/** `user` signs in at `sp` in `b` (continuing as themself past the impersonate form). */
async function signIn(b: Browser, sp: TestSp, user: string): Promise<Profile> {
  const page = await samlSignIn(b, sp, user);
  return sp.receive(isImpersonateForm(page) ? await b.submit(page, {}, '_eventId_proceed') : page);
}

/** SSO at `sp` in a browser already signed in (no form in between). */
async function sso(b: Browser, sp: TestSp): Promise<Profile> {
  const page = await b.get(await sp.loginURL());
  return sp.receive(isImpersonateForm(page) ? await b.submit(page, {}, '_eventId_proceed') : page);
}

/** Whether the browser's next SSO at `sp` asks for a password (no IdP session). */
async function needsLogin(b: Browser, sp: TestSp): Promise<boolean> {
  const page = await b.get(await sp.loginURL());
  return page.html.querySelector('input[name=j_username]') !== null;
}

/** An HTTP-Redirect message leaves from a page that follows its link (views/saml/logout-onward.ejs). */
const location = (page: Page): string => onwardURL(page);

/** The status codes of a Redirect-binding LogoutResponse. */
function responseStatus(url: string): string[] {
  const raw = new URL(url).searchParams.get('SAMLResponse')!;
  const xml = inflateRawSync(Buffer.from(raw, 'base64')).toString('utf8');
  return [...xml.matchAll(/StatusCode Value="([^"]+)"/g)].map((m) => m[1]!);
}

const logoutAudits = () => audits(t).filter((a) => a.P === 'SAML2/Logout');

describe('SP-initiated single logout', () => {
  it('by HTTP-Redirect ends the IdP session and answers with a signed LogoutResponse', async () => {
    const sp = await sp1();
    const b = browser();
    const profile = await signIn(b, sp, 'alice');
    expect(profile.nameIDFormat).toBe(TRANSIENT);
    const before = logoutAudits().length;

    const answer = await b.get(await sp.logoutURL(profile, 'back-to-sp'));
    expect(answer.headers.get('location')).toBeNull();
    const url = location(answer);
    expect(url.startsWith(`${SP1_SLO}?`)).toBe(true);
    expect(new URL(url).searchParams.get('Signature')).toBeTruthy();
    expect(new URL(url).searchParams.get('RelayState')).toBe('back-to-sp');
    expect(responseStatus(url)).toEqual([SUCCESS]);
    expect(await sp.receiveRedirect(url)).toMatchObject({ loggedOut: true });

    expect(await needsLogin(b, sp)).toBe(true);
    const records = logoutAudits().slice(before);
    expect(records.map((r) => [r.SP, r.u, r.n, r.XX, r.act])).toEqual([
      [SP1, 'alice', profile.nameID, 'true', 'logout'],
      [SP1, 'alice', '', '', 'logout'],
    ]);
    expect(records[1]!.S).toBe('Success');
  });

  it('by HTTP-POST (an enveloped signature) ends the IdP session the same way', async () => {
    const sp = await sp1();
    const b = browser();
    const profile = await signIn(b, sp, 'carol');
    const xml = redirectXml(await sp.logoutURL(profile));
    const signed = signXml(xml, { privateKey: sp1Keys.privatePem });
    const answer = await b.post(`${t.baseURL}/idp/profile/SAML2/POST/SLO`, postFields(signed));
    const url = location(answer);
    expect(await sp.receiveRedirect(url)).toMatchObject({ loggedOut: true });
    expect(await needsLogin(b, sp)).toBe(true);
  });

  it('refuses an unsigned LogoutRequest from an SP that must sign (wantLogoutMessagesSigned)', async () => {
    const signedSp = await sp1();
    const unsignedSp = await TestSp.create(t.baseURL, { singleLogout: true });
    const b = browser();
    const profile = await signIn(b, signedSp, 'alice');
    const page = await b.get(await unsignedSp.logoutURL(profile));
    expect(page.status).toBe(400);
    expect(page.body).toContain('MessageAuthenticationError');
    expect(page.body).not.toContain('SAMLResponse');
    expect(await needsLogin(b, signedSp)).toBe(false);
  });

  it('accepts an unsigned LogoutRequest where wantLogoutMessagesSigned is false', async () => {
    const sp = await TestSp.create(t.baseURL, {
      entityID: SP3,
      acsURL: SP3_ACS,
      singleLogout: true,
    });
    const b = browser();
    const profile = await signIn(b, sp, 'carol');
    const url = location(await b.get(await sp.logoutURL(profile)));
    expect(url.startsWith(`${SP3_SLO}?`)).toBe(true);
    expect(new URL(url).searchParams.get('Signature')).toBeTruthy();
    expect(await sp.receiveRedirect(url)).toMatchObject({ loggedOut: true });
    expect(logoutAudits().at(-2)).toMatchObject({ SP: SP3, u: 'carol', XX: 'false' });
    expect(await needsLogin(b, sp)).toBe(true);
  });

  it('answers UnknownPrincipal for a NameID this session never gave the SP, and keeps the session', async () => {
    const sp = await sp1();
    const b = browser();
    const profile = await signIn(b, sp, 'alice');
    const answer = await b.get(await sp.logoutURL({ ...profile, nameID: '_not-given' }));
    const url = location(answer);
    expect(responseStatus(url)).toEqual([
      'urn:oasis:names:tc:SAML:2.0:status:Requester',
      'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal',
    ]);
    await expect(sp.receiveRedirect(url)).rejects.toThrow(/Requester/);
    expect(logoutAudits().at(-1)).toMatchObject({ SP: SP1, n: '_not-given', act: 'refuse' });
    expect(await needsLogin(b, sp)).toBe(false);
  });
});

describe('a LogoutRequest without an IdP session', () => {
  it('has nothing to end: Success', async () => {
    const sp = await sp1();
    const profile = await signIn(browser(), sp, 'carol');
    const elsewhere = browser();
    const url = location(await elsewhere.get(await sp.logoutURL(profile)));
    expect(responseStatus(url)).toEqual([SUCCESS]);
    expect(logoutAudits().at(-2)).toMatchObject({ SP: SP1, u: '', n: profile.nameID });
    expect(logoutAudits().at(-2)!.det).toContain('session=none');
  });
});

describe('single logout after an impersonated SSO', () => {
  it("ends alice's session on a LogoutRequest for bob's NameID, and tells the other SP", async () => {
    const first = await sp1();
    const second = await sp2();
    const b = browser();
    const form = await samlSignIn(b, first, 'alice');
    expect(isImpersonateForm(form)).toBe(true);
    const asBob = await first.receive(
      await b.submit(form, { principal: 'bob' }, '_eventId_impersonate'),
    );
    expect(asBob.nameIDFormat).toBe(TRANSIENT);
    const atSp2 = await sso(b, second);
    const before = logoutAudits().length;

    // SP1 logs bob out: the IdP tells SP2 (alice there) by POST, then answers SP1.
    const step = await b.get(await first.logoutURL(asBob));
    expect(step.status).toBe(200);
    const form2 = b.form(step);
    expect(form2.action).toBe(SP2_SLO);
    expect(step.headers.get('content-security-policy')).toContain(`form-action 'self' ${SP_HOST}`);
    const told = await second.receivePostRequest(form2.fields);
    expect(told.profile).toMatchObject({
      nameID: atSp2.nameID,
      issuer: t.idp.config.properties.entityID,
    });

    const back = await b.get(await second.logoutResponseURL(told.profile));
    const url = location(back);
    expect(url.startsWith(`${SP1_SLO}?`)).toBe(true);
    expect(responseStatus(url)).toEqual([SUCCESS]);
    expect(await first.receiveRedirect(url)).toMatchObject({ loggedOut: true });
    expect(await needsLogin(b, first)).toBe(true);

    const records = logoutAudits().slice(before);
    expect(records.map((r) => [r.SP, r.u, r.uu, r.n])).toEqual([
      [SP1, 'bob', 'alice', asBob.nameID],
      [SP2, 'alice', '', atSp2.nameID],
      [SP1, 'alice', '', ''],
    ]);
  });
});

describe('propagation outcomes', () => {
  /** alice at SP1 then SP2; SP1 logs out: the page that tells SP2, and what SP2 was told. */
  async function twoParticipants() {
    const first = await sp1();
    const second = await sp2();
    const b = browser();
    const atSp1 = await signIn(b, first, 'alice');
    await sso(b, second);
    const step = await b.get(await first.logoutURL(atSp1));
    const told = await second.receivePostRequest(b.form(step).fields);
    return { b, first, second, told: told.profile };
  }

  it('answers PartialLogout when a participant does not log out', async () => {
    const { b, first, second, told } = await twoParticipants();
    const back = await b.get(await second.logoutResponseURL(told, false));
    const url = location(back);
    expect(responseStatus(url)).toEqual([
      SUCCESS,
      'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
    ]);
    expect(await first.receiveRedirect(url)).toMatchObject({ loggedOut: true });
    expect(await needsLogin(b, first)).toBe(true);
  });

  it("takes a participant's LogoutResponse by HTTP-POST, signed", async () => {
    const { b, first, second, told } = await twoParticipants();
    const raw = new URL(await second.logoutResponseURL(told)).searchParams.get('SAMLResponse')!;
    const xml = inflateRawSync(Buffer.from(raw, 'base64')).toString('utf8');
    const signed = signXml(xml, { privateKey: sp2Keys.privatePem });
    const back = await b.post(`${t.baseURL}/idp/profile/SAML2/POST/SLO`, {
      SAMLResponse: Buffer.from(signed, 'utf8').toString('base64'),
    });
    const url = location(back);
    expect(responseStatus(url)).toEqual([SUCCESS]);
    expect(await first.receiveRedirect(url)).toMatchObject({ loggedOut: true });
  });

  it('refuses a LogoutResponse that answers nothing the browser waits for', async () => {
    const { b, second, told } = await twoParticipants();
    const stray = await second.logoutResponseURL({ ...told, ID: '_never-sent' });
    const page = await b.get(stray);
    expect(page.body).toContain('StaleRequest');
    expect(page.headers.get('location')).toBeNull();
  });
});

describe('the IdP metadata', () => {
  it('lists the single logout endpoints for HTTP-Redirect and HTTP-POST', async () => {
    const xml = await (await fetch(`${t.baseURL}/idp/shibboleth`)).text();
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const endpoints = Array.from(
      doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'SingleLogoutService'),
    ).map((e) => [e.getAttribute('Binding'), e.getAttribute('Location')]);
    expect(endpoints).toEqual([
      [
        'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        `${t.baseURL}/idp/profile/SAML2/Redirect/SLO`,
      ],
      ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', `${t.baseURL}/idp/profile/SAML2/POST/SLO`],
    ]);
  });
});
