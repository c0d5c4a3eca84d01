/**
 * OpenID Connect RP-initiated logout that ends the IdP session (issue 11 item 4), with openid-client
 * building the end-session URL: the user confirms on the IdP's page, the IdP session ends (the
 * next authorization asks for a password), the SAML service provider that got an assertion in the
 * session is told with a signed LogoutRequest node-saml accepts, and the browser ends at the
 * client's post_logout_redirect_uri with its state. "No" ends nothing at the IdP. Audited as
 * OIDC/Logout.
 */
import * as oidc from 'openid-client';
import type { Profile } from '@node-saml/node-saml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onwardURL, type Browser } from '../../support/browser.js';
import { audits, isImpersonateForm } from '../../support/impersonate-pages.js';
import { keyPair, type KeyPair } from '../../support/key-pair.js';
import { demoRp, rpBrowser, signInAndRedeem } from '../../support/oidc-clients.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import type { TestRp } from '../../support/test-rp.js';
import { TestSp } from '../../support/test-sp.js';

const STOP = 'http://127.0.0.1:9';
const SP_SLO = `${STOP}/sp/slo`;
const AFTER_LOGOUT = `${STOP}/logged-out`;

let t: TestIdp;
let spKeys: KeyPair;
let rp: TestRp;

beforeAll(async () => {
  spKeys = await keyPair('sp');
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': STOP },
    conf: {
      'sp.crt': spKeys.certPem,
      'relying-party.yaml': (old) =>
        old
          .replace(
            '    nameIDFormat: unspecified\n',
            `    nameIDFormat: unspecified\n    signingCertificate: sp.crt\n    singleLogoutServiceURL: "${SP_SLO}"\n`,
          )
          .replace(
            '    redirectUris: ["%{demo.oidc.baseURL}/callback"]\n',
            `    redirectUris: ["%{demo.oidc.baseURL}/callback"]\n    postLogoutRedirectUris: ["${AFTER_LOGOUT}"]\n`,
          ),
    },
  });
  rp = await demoRp(t);
});
afterAll(async () => t?.close());

const samlSp = () =>
  TestSp.create(t.baseURL, { privateKey: spKeys.privatePem, singleLogout: true });

/** SSO at the SAML SP in a browser already signed in. */
async function samlSso(b: Browser, sp: TestSp): Promise<Profile> {
  const page = await b.get(await sp.loginURL());
  return sp.receive(isImpersonateForm(page) ? await b.submit(page, {}, '_eventId_proceed') : page);
}

async function authorizeNeedsLogin(b: Browser): Promise<boolean> {
  const page = await b.get((await rp.authorize()).url);
  return page.html.querySelector('input[name=j_password]') !== null;
}

function endSessionUrl(idToken: string): string {
  return oidc.buildEndSessionUrl(rp.config, {
    id_token_hint: idToken,
    post_logout_redirect_uri: AFTER_LOGOUT,
    state: 'after-logout-state',
  }).href;
}

describe('OIDC RP-initiated logout', () => {
  it('ends the IdP session and tells the SAML participant before the post-logout redirect', async () => {
    const b = rpBrowser();
    const tokens = await signInAndRedeem(b, rp, 'alice');
    const sp = await samlSp();
    const atSp = await samlSso(b, sp);

    const confirm = await b.get(endSessionUrl(tokens.id_token!));
    expect(confirm.status).toBe(200);
    expect(confirm.html.querySelector('h1')?.text).toBe('Sign out?');
    const toSp = await b.submit(confirm, {}, 'logout');
    const request = onwardURL(toSp);
    expect(request.startsWith(`${SP_SLO}?SAMLRequest=`)).toBe(true);
    const told = await sp.receiveRedirect(request);
    expect(told).toMatchObject({ loggedOut: true, profile: { nameID: atSp.nameID } });

    const end = await b.get(await sp.logoutResponseURL(told.profile!));
    const after = new URL(onwardURL(end));
    expect(`${after.origin}${after.pathname}`).toBe(AFTER_LOGOUT);
    expect(after.searchParams.get('state')).toBe('after-logout-state');

    expect(await authorizeNeedsLogin(b)).toBe(true);
    const records = audits(t);
    expect(records.find((r) => r.P === 'OIDC/Logout')).toMatchObject({
      SP: 'demo-rp',
      u: 'alice',
      act: 'logout',
    });
    expect(records.filter((r) => r.P === 'SAML2/Logout').at(-1)).toMatchObject({
      SP: 'https://sp.demo.example.org/shibboleth',
      u: 'alice',
      n: atSp.nameID,
    });
  });

  it('names the impersonated account and the real user in the record', async () => {
    const b = rpBrowser();
    const tokens = await signInAndRedeem(b, rp, 'alice', 'bob');
    expect(tokens.claims()?.sub).toBe('bob');
    const confirm = await b.get(endSessionUrl(tokens.id_token!));
    const end = await b.submit(confirm, {}, 'logout');
    expect(onwardURL(end).startsWith(AFTER_LOGOUT)).toBe(true);
    expect(audits(t).at(-1)).toMatchObject({ P: 'OIDC/Logout', u: 'bob', uu: 'alice' });
    expect(await authorizeNeedsLogin(b)).toBe(true);
  });

  it('ends nothing at the IdP when the user says no', async () => {
    const b = rpBrowser();
    const tokens = await signInAndRedeem(b, rp, 'carol');
    const confirm = await b.get(endSessionUrl(tokens.id_token!));
    await b.submit(confirm, {});
    expect(await authorizeNeedsLogin(b)).toBe(false);
  });
});
