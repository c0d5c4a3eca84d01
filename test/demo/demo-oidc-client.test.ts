/**
 * The demo OpenID Connect client of `npm start` (openid-client): its start page, the authorization
 * request it sends (code flow with PKCE S256, its state, and only the prompt values it offers),
 * and its callback: single use, refused without a sign-in in progress or with another state, and
 * an error answer of the IdP shown with its code. The whole sign-in is
 * test/e2e/demo-walkthrough.test.ts.
 */
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoOidcClientApp } from '../../src/demo/demo-oidc-client.js';
import { serve, type Served } from '../support/local-server.js';

const CLIENT_ID = 'demo-rp';
let issuer: Served;
let discoveries = 0;
let tokenRequests = 0;
let client: Served;
const CLIENT_BASE = 'https://demo-rp.example.net:9443';

beforeAll(async () => {
  // An OpenID Provider that only answers discovery: the client needs nothing else until a code comes back.
  issuer = await serve((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') {
      if (req.url === '/idp/profile/oidc/token') tokenRequests++;
      res.writeHead(404).end();
      return;
    }
    discoveries++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        issuer: issuer.url,
        authorization_endpoint: `${issuer.url}/idp/profile/oidc/authorize`,
        token_endpoint: `${issuer.url}/idp/profile/oidc/token`,
        jwks_uri: `${issuer.url}/idp/profile/oidc/keyset`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      }),
    );
  });
  client = await serve(
    createDemoOidcClientApp({
      issuer: issuer.url,
      clientId: CLIENT_ID,
      clientSecret: 'demo-rp-secret',
      baseURL: CLIENT_BASE,
      port: 0,
      listenAddress: '127.0.0.1',
    }),
  );
});

afterAll(async () => {
  await client?.close();
  await issuer?.close();
});

/** Starts a sign-in: the authorization request's parameters and the browser's login cookie. */
async function login(query = '') {
  const response = await fetch(`${client.url}/login${query}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('demo_rp_login='));
  expect(setCookie).toBeDefined();
  return {
    location,
    params: location.searchParams,
    setCookie: setCookie!,
    cookie: setCookie!.split(';')[0]!,
  };
}

async function callback(query: string, cookie?: string) {
  const response = await fetch(`${client.url}/callback?${query}`, {
    headers: cookie ? { cookie } : {},
  });
  return {
    status: response.status,
    error: parse(await response.text())
      .querySelector('#error')
      ?.text.trim(),
  };
}

describe('the demo OIDC client', () => {
  it('shows its start page with its client id, the issuer and the three sign-in links', async () => {
    const response = await fetch(`${client.url}/`);
    expect(response.status).toBe(200);
    const html = parse(await response.text());
    expect(html.querySelector('h1')?.text).toBe('Demo OpenID Connect Client');
    expect(html.querySelectorAll('code').map((c) => c.text)).toEqual([CLIENT_ID, issuer.url]);
    expect(
      ['#login', '#login-force', '#login-silent'].map((s) =>
        html.querySelector(s)?.getAttribute('href'),
      ),
    ).toEqual(['/login', '/login?prompt=login', '/login?prompt=none']);
  });

  it('sends an authorization code request with PKCE S256 and a state to the discovered endpoint', async () => {
    const { location, params, setCookie } = await login();
    expect(`${location.origin}${location.pathname}`).toBe(
      `${issuer.url}/idp/profile/oidc/authorize`,
    );
    expect(params.get('client_id')).toBe(CLIENT_ID);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('redirect_uri')).toBe(`${CLIENT_BASE}/callback`);
    expect(params.get('scope')).toBe('openid profile email');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(params.has('prompt')).toBe(false);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
  });

  it('uses a new state, PKCE challenge and login cookie for every sign-in', async () => {
    const [a, b] = [await login(), await login()];
    expect(a.params.get('state')).not.toBe(b.params.get('state'));
    expect(a.params.get('code_challenge')).not.toBe(b.params.get('code_challenge'));
    expect(a.cookie).not.toBe(b.cookie);
  });

  it.each([
    ['none', 'none'],
    ['login', 'login'],
    ['consent', null],
    ['select_account', null],
  ])('passes prompt=%s on as %s', async (prompt, sent) => {
    expect((await login(`?prompt=${prompt}`)).params.get('prompt')).toBe(sent);
  });

  it('shows an error answer of the IdP with its code and description', async () => {
    const { params, cookie } = await login('?prompt=none');
    const state = params.get('state')!;
    const answer = await callback(
      `error=login_required&error_description=${encodeURIComponent('End-User authentication is required')}&state=${state}`,
      cookie,
    );
    expect(answer).toEqual({
      status: 400,
      error: 'login_required: End-User authentication is required',
    });
  });

  it('takes each sign-in back once: the same callback again finds no sign-in in progress', async () => {
    const { params, cookie } = await login();
    const query = `error=access_denied&state=${params.get('state')}`;
    expect(await callback(query, cookie)).toEqual({ status: 400, error: 'access_denied' });
    expect(await callback(query, cookie)).toEqual({
      status: 400,
      error: 'no sign-in in progress in this browser',
    });
  });

  it('refuses a callback without the login cookie', async () => {
    const { params } = await login();
    expect(await callback(`code=abc&state=${params.get('state')}`)).toEqual({
      status: 400,
      error: 'no sign-in in progress in this browser',
    });
  });

  it("refuses a callback whose state is another sign-in's, without redeeming the code", async () => {
    const first = await login();
    const second = await login();
    const before = tokenRequests;
    expect(await callback(`code=abc&state=${first.params.get('state')}`, second.cookie)).toEqual({
      status: 400,
      error: 'invalid response encountered',
    });
    expect(tokenRequests).toBe(before);
  });

  it('redeems the code of a callback with its own state at the token endpoint', async () => {
    const { params, cookie } = await login();
    const before = tokenRequests;
    const answer = await callback(`code=abc&state=${params.get('state')}`, cookie);
    expect(answer.status).toBe(400); // this provider has no token endpoint
    expect(tokenRequests).toBe(before + 1);
  });

  it('discovers the provider once', () => {
    expect(discoveries).toBe(1);
  });
});

describe('the demo OIDC client and an unreachable provider', () => {
  it('fails the sign-in, and discovers again at the next one', async () => {
    let up = false;
    let asked = 0;
    const flaky: Served = await serve((_req, res) => {
      asked++;
      if (!up) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: flaky.url,
          authorization_endpoint: `${flaky.url}/authorize`,
          token_endpoint: `${flaky.url}/token`,
        }),
      );
    });
    const app = await serve(
      createDemoOidcClientApp({
        issuer: flaky.url,
        clientId: CLIENT_ID,
        clientSecret: 's',
        baseURL: CLIENT_BASE,
        port: 0,
        listenAddress: '127.0.0.1',
      }),
    );
    try {
      expect((await fetch(`${app.url}/login`, { redirect: 'manual' })).status).toBe(500);
      up = true;
      const response = await fetch(`${app.url}/login`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toMatch(new RegExp(`^${flaky.url}/authorize\\?`));
      expect(asked).toBe(2);
    } finally {
      await app.close();
      await flaky.close();
    }
  });
});
