/**
 * Malformed input at the OpenID Connect endpoints gets a clear 4xx — never a 500 — and loses
 * nothing: the browser's pending authorization still completes afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { demoRp, startOidcTestIdp } from '../../support/oidc-clients.js';
import type { TestIdp } from '../../support/test-idp.js';
import type { TestRp } from '../../support/test-rp.js';

let t: TestIdp;
let rp: TestRp;

beforeAll(async () => {
  t = await startOidcTestIdp();
  rp = await demoRp(t);
});
afterAll(async () => t?.close());

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push('http://127.0.0.1:9/');
  return b;
}

interface Raw {
  status: number;
  type: string;
  body: string;
}

async function send(
  path: string,
  init: { method?: string; body?: string; type?: string; cookie?: string } = {},
): Promise<Raw> {
  const headers: Record<string, string> = { accept: 'text/html' };
  if (init.type) headers['content-type'] = init.type;
  if (init.cookie) headers.cookie = init.cookie;
  const res = await fetch(`${t.baseURL}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body,
    redirect: 'manual',
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: await res.text(),
  };
}

function clientError(r: Raw, what: string): void {
  expect(r.status, `${what}: ${r.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, `${what}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
}

/** A browser with an authorization waiting at the impersonate form: its page and cookies. */
async function pendingForm(): Promise<{
  b: Browser;
  form: Page;
  pending: Awaited<ReturnType<TestRp['authorize']>>;
}> {
  const b = browser();
  const pending = await rp.authorize();
  const form = await b.submit(
    await b.get(pending.url),
    { j_username: 'alice', j_password: 'demo-alice' },
    '_eventId_proceed',
  );
  expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
  return { b, form, pending };
}

const AUTHORIZE = '/idp/profile/oidc/authorize';
const INTERACTION = '/idp/profile/oidc/interaction';
const VALID =
  'client_id=demo-rp&response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256';

describe('malformed OIDC input', () => {
  it.each([
    ['an unknown interaction uid', `${INTERACTION}/no-such-interaction`],
    ['an interaction uid that is not UTF-8', `${INTERACTION}/%FF%FE`],
    ['a badly escaped interaction uid', `${INTERACTION}/%E0%A4%A`],
    ['a junk execution key', `${INTERACTION}/x?execution=junk`],
    ['an execution key given twice', `${INTERACTION}/x?execution=a&execution=b`],
    ['an unknown resume uid', `${AUTHORIZE}/no-such-interaction`],
    ['an authorization request without parameters', AUTHORIZE],
    ['an authorization request without client_id', `${AUTHORIZE}?response_type=code&scope=openid`],
    ['an unknown client', `${AUTHORIZE}?${VALID.replace('demo-rp', 'nobody')}`],
    ['a duplicated client_id', `${AUTHORIZE}?${VALID}&client_id=demo-rp`],
    ['a redirect URI not registered', `${AUTHORIZE}?${VALID.replace('callback', 'elsewhere')}`],
    ['a query that is not UTF-8', `${AUTHORIZE}?client_id=%FF&response_type=code`],
    ['a resume uid that is not UTF-8', `${AUTHORIZE}/%FF%FE`],
  ])('answers %s with a 4xx page', async (what, path) => {
    clientError(await send(path), what);
  });

  // Once the client and its redirect URI are known good, errors go back to the client
  // (RFC 6749 §4.1.2.1), which is where they can be acted on.
  it.each([
    ['a duplicated parameter', `${AUTHORIZE}?${VALID}&scope=openid`],
    [
      'a duplicated redirect_uri',
      `${AUTHORIZE}?${VALID}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback`,
    ],
    ['a bad max_age', `${AUTHORIZE}?${VALID}&max_age=soon`],
    ['a bad prompt', `${AUTHORIZE}?${VALID}&prompt=maybe`],
    ['a missing PKCE challenge', `${AUTHORIZE}?${VALID.replace(/&code_challenge=[^&]*/, '')}`],
    [
      'an unsupported response type',
      `${AUTHORIZE}?${VALID.replace('response_type=code', 'response_type=token')}`,
    ],
  ])('answers %s with an error for the client at its redirect URI', async (_what, path) => {
    const r = await fetch(`${t.baseURL}${path}`, { redirect: 'manual' });
    expect(r.status).toBe(303);
    const location = new URL(r.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9/callback');
    const params = new URLSearchParams(location.hash.slice(1) || location.search); // token: in the fragment
    expect(params.get('error')).toMatch(/^(invalid_request|unsupported_response_type)$/);
    expect(params.get('code')).toBeNull();
  });

  it.each([
    ['no body', undefined, undefined],
    ['a JSON body', '{"principal":"bob","_eventId_impersonate":"x"}', 'application/json'],
    ['a form without a CSRF token', '_eventId_proceed=x', 'application/x-www-form-urlencoded'],
    ['a body in an unknown charset', 'a=b', 'application/x-www-form-urlencoded; charset=klingon'],
    ['a body that is too large', `a=${'x'.repeat(70_000)}`, 'application/x-www-form-urlencoded'],
  ])('answers a POST with %s to the interaction endpoint with a 4xx', async (what, body, type) => {
    const { b, form } = await pendingForm();
    const action = b.form(form).action;
    const cookie = b
      .cookies(action)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    clientError(
      await send(new URL(action).pathname + new URL(action).search, {
        method: 'POST',
        body,
        type,
        cookie,
      }),
      what,
    );
  });

  it('answers a POST without an execution key with 405, and the pending form still works', async () => {
    const { b, form, pending } = await pendingForm();
    const url = new URL(b.form(form).action);
    const cookie = b
      .cookies(url.href)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const r = await send(url.pathname, {
      method: 'POST',
      body: 'principal=bob',
      type: 'application/x-www-form-urlencoded',
      cookie,
    });
    expect(r.status).toBe(405);
    const done = await b.submit(form, { principal: 'bob' }, '_eventId_impersonate');
    expect((await rp.redeem(done.headers.get('location')!, pending)).claims()!.sub).toBe('bob');
  });

  it.each([
    ['no body', undefined, undefined],
    ['a JSON body', '{"grant_type":"authorization_code","code":"x"}', 'application/json'],
    ['an unknown grant type', 'grant_type=magic', 'application/x-www-form-urlencoded'],
    [
      'a duplicated parameter',
      'grant_type=authorization_code&grant_type=authorization_code&code=x',
      'application/x-www-form-urlencoded',
    ],
  ])(
    'answers a token, introspection or revocation request with %s with a 4xx',
    async (what, body, type) => {
      for (const endpoint of ['token', 'introspect', 'revoke', 'par']) {
        clientError(
          await send(`/idp/profile/oidc/${endpoint}`, { method: 'POST', body, type }),
          `${endpoint}: ${what}`,
        );
      }
    },
  );

  it.each([
    ['userinfo with a junk token', '/idp/profile/oidc/userinfo', { authorization: 'Bearer junk' }],
    [
      'userinfo with a malformed Authorization header',
      '/idp/profile/oidc/userinfo',
      { authorization: 'Bearer' },
    ],
    ['logout with a junk id_token_hint', '/idp/profile/oidc/logout?id_token_hint=junk', {}],
  ])('answers %s with a 4xx', async (what, path, headers) => {
    const r = await fetch(`${t.baseURL}${path}`, { headers, redirect: 'manual' });
    clientError({ status: r.status, type: '', body: await r.text() }, what);
  });

  it('answers an unknown path under the OIDC prefix with 404', async () => {
    expect((await send('/idp/profile/oidc/nothing-here')).status).toBe(404);
  });
});
