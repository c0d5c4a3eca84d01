/**
 * OpenID Connect details a conforming client relies on, checked with openid-client over HTTP:
 * discovery advertises exactly the client authentication the IdP supports, ID tokens carry
 * `auth_time` and `sid`, a token response's `scope` is what was granted, PKCE failures say why,
 * the IdP's error page names the event of a bad client or redirect URI, and client ids of any
 * shape authenticate with either client_secret_basic or client_secret_post.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRp, rpBrowser, signInAndRedeem } from '../../support/oidc-clients.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp } from '../../support/test-rp.js';

const STOP = 'http://127.0.0.1:9';
const URL_CLIENT = 'https://app.example.org/rp?tenant=a b';
const URL_SECRET = 'se:cret+with%odd/chars=&0123456789';
const POST_SECRET = 'post-client-secret-0123456789';
const OFFLINE = { scope: 'openid profile email offline_access', prompt: 'consent' };

let t: TestIdp;
let rp: TestRp;

beforeAll(async () => {
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': STOP },
    conf: {
      'relying-party.yaml': (old) =>
        `${old.replace(
          '    scopes: [openid, profile, email]\n    postAuthenticationFlows: [impersonate]',
          '    scopes: [openid, profile, email]\n    refreshTokens: true\n    postAuthenticationFlows: [impersonate]',
        )}
  - clientId: "${URL_CLIENT}"
    clientSecret: "${URL_SECRET}"
    redirectUris: ["${STOP}/url/callback"]
  - clientId: post-rp
    clientSecret: ${POST_SECRET}
    redirectUris: ["${STOP}/post/callback"]
    tokenEndpointAuthMethod: client_secret_post
`,
    },
  });
  rp = await demoRp(t);
}, 60_000);

afterAll(() => t?.close());

const nowS = () => Math.floor(Date.now() / 1000);

describe('discovery', () => {
  it('advertises exactly the client authentication methods the IdP accepts', async () => {
    const doc = (await (
      await fetch(`${t.baseURL}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    const secrets = ['client_secret_basic', 'client_secret_post'];
    expect(doc.token_endpoint_auth_methods_supported).toEqual(secrets);
    expect(doc.token_endpoint_auth_signing_alg_values_supported).toBeUndefined();
    // RFC 8414 §2: omitted means client_secret_basic only, so both are named.
    expect(doc.introspection_endpoint_auth_methods_supported).toEqual(secrets);
    expect(doc.revocation_endpoint_auth_methods_supported).toEqual(secrets);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.response_types_supported).toEqual(['code']);
    expect(doc.grant_types_supported).toEqual(['authorization_code', 'refresh_token']);
    expect(doc.dpop_signing_alg_values_supported).toBeUndefined();
    expect(doc.claims_supported).toEqual(expect.arrayContaining(['sub', 'auth_time', 'sid']));
  });
});

describe('ID token claims', () => {
  it('carry auth_time (the real login, under impersonation too) and sid', async () => {
    const b = rpBrowser();
    const before = nowS();
    const first = await signInAndRedeem(b, rp, 'alice');
    const login = first.claims()!;
    expect(login.auth_time).toBeGreaterThanOrEqual(before);
    expect(login.auth_time).toBeLessThanOrEqual(nowS());
    expect(login.sid).toEqual(expect.any(String));

    await new Promise((r) => setTimeout(r, 1100));
    const sso = (await signInAndRedeem(b, rp, 'alice')).claims()!;
    expect(sso.auth_time).toBe(login.auth_time); // no new login: SSO
    expect(sso.sid).toEqual(expect.any(String));
    expect(sso.sid).not.toBe(login.sid); // each authorization has its own carrier session
    const imp = (await signInAndRedeem(b, rp, 'alice', 'bob')).claims()!;
    expect(imp.sub).toBe('bob');
    expect(imp.auth_time).toBe(login.auth_time); // the tester's login; bob never authenticated
    expect(imp.sid).toEqual(expect.any(String));
  });

  it('are the same after a refresh', async () => {
    const tokens = await signInAndRedeem(rpBrowser(), rp, 'alice', undefined, OFFLINE);
    const refreshed = await rp.refresh(tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({
      auth_time: tokens.claims()!.auth_time,
      sid: tokens.claims()!.sid,
    });
  });
});

describe('the scope of a token response', () => {
  it('includes offline_access with a refresh token', async () => {
    const tokens = await signInAndRedeem(rpBrowser(), rp, 'alice', undefined, OFFLINE);
    expect(tokens.refresh_token).toBeDefined();
    expect(tokens.scope?.split(' ')).toContain('offline_access');
  });

  it('has no offline_access when an impersonation gets no refresh token', async () => {
    const tokens = await signInAndRedeem(rpBrowser(), rp, 'alice', 'bob', OFFLINE);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    const info = await rp.introspect(tokens.access_token);
    expect(String(info.scope).split(' ')).not.toContain('offline_access');
  });

  it('has no offline_access when it was asked for without prompt=consent', async () => {
    const tokens = await signInAndRedeem(rpBrowser(), rp, 'alice', undefined, {
      scope: OFFLINE.scope,
    });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope?.split(' ')).not.toContain('offline_access');
  });
});

describe('PKCE at the token endpoint', () => {
  async function redeemWith(verifier: string | undefined) {
    const b = rpBrowser();
    const pending = await rp.authorize();
    let page = await b.get(pending.url);
    page = await b.submit(
      page,
      { j_username: 'alice', j_password: 'demo-alice' },
      '_eventId_proceed',
    );
    page = await b.submit(page, {}, '_eventId_proceed');
    return oidc
      .authorizationCodeGrant(rp.config, new URL(page.headers.get('location')!), {
        pkceCodeVerifier: verifier,
        expectedState: pending.state,
      })
      .then(
        () => ({}),
        (err: unknown) => err as Record<string, unknown>,
      );
  }

  it('says the verifier did not match', async () => {
    const err = await redeemWith(oidc.randomPKCECodeVerifier());
    expect(err).toMatchObject({
      error: 'invalid_grant',
      error_description: 'PKCE verification failed',
    });
  });

  it('says the verifier is missing', async () => {
    const err = await redeemWith(undefined);
    expect(err).toMatchObject({
      error: 'invalid_grant',
      error_description: 'code_verifier missing',
    });
  });
});

describe('the error page of an authorization request', () => {
  const VALID = new URLSearchParams({
    client_id: 'demo-rp',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${STOP}/callback`,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });

  async function eventOf(params: Record<string, string>): Promise<string | undefined> {
    const query = new URLSearchParams(VALID);
    for (const [k, v] of Object.entries(params)) query.set(k, v);
    const r = await fetch(`${t.baseURL}/idp/profile/oidc/authorize?${query}`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(r.status).toBe(400);
    return /<dd class="event"><code>([^<]*)<\/code>/.exec(await r.text())?.[1];
  }

  it('names EndpointResolutionFailed for a redirect URI not registered', async () => {
    expect(await eventOf({ redirect_uri: `${STOP}/elsewhere` })).toBe('EndpointResolutionFailed');
  });

  it('names UnknownRelyingParty for an unknown client', async () => {
    expect(await eventOf({ client_id: 'nobody' })).toBe('UnknownRelyingParty');
  });

  it('names UnableToDecode for a request it cannot read', async () => {
    expect(await eventOf({ client_id: '' })).toBe('UnableToDecode');
  });
});

describe('client authentication', () => {
  it('accepts a URL-shaped client id and secret form-encoded in Basic auth (RFC 6749 §2.3.1)', async () => {
    const client = await TestRp.create(
      t.baseURL,
      URL_CLIENT,
      URL_SECRET,
      `${STOP}/url/callback`,
      oidc.ClientSecretBasic(URL_SECRET),
    );
    const tokens = await signInAndRedeem(rpBrowser(), client, 'alice');
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: URL_CLIENT });
    expect(await client.introspect(tokens.access_token)).toMatchObject({ active: true });
  });

  it('accepts client_secret_post, and refuses a wrong secret', async () => {
    const post = (secret: string) =>
      TestRp.create(
        t.baseURL,
        'post-rp',
        secret,
        `${STOP}/post/callback`,
        oidc.ClientSecretPost(secret),
      );
    const client = await post(POST_SECRET);
    const tokens = await signInAndRedeem(rpBrowser(), client, 'alice');
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: 'post-rp' });
    const wrong = await post('not-the-secret-0123456789');
    await expect(wrong.introspect(tokens.access_token)).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });
});

describe('response_mode=form_post (advertised)', () => {
  it('lets the page post the code to the client, which redeems it', async () => {
    const b = rpBrowser();
    const pending = await rp.authorize({ response_mode: 'form_post' });
    let page = await b.submit(
      await b.get(pending.url),
      { j_username: 'alice', j_password: 'demo-alice' },
      '_eventId_proceed',
    );
    page = await b.submit(page, {}, '_eventId_proceed');
    const csp = page.headers.get('content-security-policy') ?? '';
    const formAction = csp.split(';').find((d) => d.trim().startsWith('form-action'));
    expect(formAction?.trim().split(/\s+/)).toEqual(['form-action', "'self'", STOP]);
    const form = page.html.querySelector('form')!;
    expect(form.getAttribute('action')).toBe(`${STOP}/callback`);
    const body = new URLSearchParams(
      form
        .querySelectorAll('input')
        .map((i) => [i.getAttribute('name')!, i.getAttribute('value')!]),
    );
    const posted = new Request(`${STOP}/callback`, { method: 'POST', body });
    const tokens = await oidc.authorizationCodeGrant(rp.config, posted, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
    });
    expect(tokens.claims()?.sub).toBe('alice');
  });
});
