/**
 * The impersonate intercept for OpenID Connect clients, per request, with openid-client as the
 * relying party against the running IdP (oidc-provider) over HTTP: (a)–(g) of the OIDC issue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { callbackParams, TestRp, type PendingAuthorization } from '../../support/test-rp.js';

const DEMO_SECRET = 'demo-rp-secret-for-the-demo-only';
const DEMO_CALLBACK = 'http://127.0.0.1:9/callback';
const OTHER_CALLBACK = 'http://127.0.0.1:9/other/callback';
const OTHER_SECRET = 'another-client-secret-0123456789';

let t: TestIdp;
let rp: TestRp;
let other: TestRp;

beforeAll(async () => {
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': 'http://127.0.0.1:9' },
    conf: {
      'relying-party.yaml': (old) =>
        `${old}
  - clientId: other-rp
    clientSecret: ${OTHER_SECRET}
    displayName: Another Client
    redirectUris: ["${OTHER_CALLBACK}"]
    refreshTokens: true
    scopes: [openid, profile, email]
    postAuthenticationFlows: [impersonate]
`,
      'attribute-filter.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', '"%{demo.oidc.clientId}", other-rp]'),
      'demo-users.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', '"%{demo.oidc.clientId}", other-rp]'),
    },
  });
  rp = await TestRp.create(t.baseURL, 'demo-rp', DEMO_SECRET, DEMO_CALLBACK);
  other = await TestRp.create(t.baseURL, 'other-rp', OTHER_SECRET, OTHER_CALLBACK);
});
afterAll(async () => t?.close());

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push('http://127.0.0.1:9/');
  return b;
}

/** Starts an authorization and signs in; returns the page after the password (form or redirect). */
async function signIn(
  b: Browser,
  client: TestRp,
  user: string,
  extra: Record<string, string> = {},
): Promise<{ page: Page; pending: PendingAuthorization }> {
  const pending = await client.authorize(extra);
  const login = await b.get(pending.url);
  expect(login.html.querySelector('input[name=j_username]')).not.toBeNull();
  const page = await b.submit(
    login,
    { j_username: user, j_password: `demo-${user}` },
    '_eventId_proceed',
  );
  return { page, pending };
}

function redirectedTo(page: Page): string {
  expect(page.status).toBe(303);
  return page.headers.get('location')!;
}

function audits() {
  return t.auditRecords().map(auditRecord);
}

describe('OIDC impersonation', () => {
  it('(a) issues ID token, userinfo and introspection for the target; the audit log names the real user', async () => {
    const b = browser();
    const { page: form, pending } = await signIn(b, rp, 'alice');
    expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
    expect(form.body).toContain('Demo OpenID Connect Client');
    // The form page lets its post end at the client (form-action), and nothing else.
    expect(form.headers.get('content-security-policy')).toContain(
      "form-action 'self' http://127.0.0.1:9",
    );

    const callback = redirectedTo(
      await b.submit(form, { principal: 'bob' }, '_eventId_impersonate'),
    );
    const tokens = await rp.redeem(callback, pending);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe('bob');
    expect(claims.act).toBeUndefined(); // faithful impersonation: nothing about alice
    const userinfo = await rp.userinfo(tokens.access_token, 'bob');
    expect(userinfo).toMatchObject({
      sub: 'bob',
      email: 'bob@example.org',
      name: 'Bob Builder',
      preferred_username: 'bob',
    });
    expect(JSON.stringify(userinfo)).not.toContain('alice');
    const introspection = await rp.introspect(tokens.access_token);
    expect(introspection).toMatchObject({
      active: true,
      sub: 'bob',
      client_id: 'demo-rp',
      email: 'bob@example.org',
      preferred_username: 'bob',
    });
    expect(JSON.stringify(introspection)).not.toContain('alice');

    const records = audits().filter((r) => r.SP === 'demo-rp');
    const authorization = records[records.length - 2]!;
    const token = records[records.length - 1]!;
    expect(authorization).toMatchObject({ u: 'bob', uu: 'alice', e: '', ut: 'bob', utc: 'bob' });
    expect(authorization.attr.split(',')).toEqual(
      expect.arrayContaining(['email', 'name', 'preferred_username']),
    );
    expect(token).toMatchObject({ u: 'bob', uu: 'alice', e: '' });
    expect(token.i).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(token.i).not.toBe(authorization.i);
  });

  it('(b) decides the next authorization afresh for the real user, same client and another, without a password', async () => {
    const b = browser();
    const { page: form, pending } = await signIn(b, rp, 'alice');
    const first = await rp.redeem(
      redirectedTo(await b.submit(form, { principal: 'carol' }, '_eventId_impersonate')),
      pending,
    );
    expect(first.claims()!.sub).toBe('carol');

    for (const client of [rp, other]) {
      const next = await client.authorize();
      const again = await b.get(next.url);
      expect(again.html.querySelector('input[name=j_password]')).toBeNull();
      expect(again.html.querySelector('h1')?.text).toBe('Account Impersonation');
      const tokens = await client.redeem(
        redirectedTo(await b.submit(again, {}, '_eventId_proceed')),
        next,
      );
      expect(tokens.claims()!.sub).toBe('alice');
      expect(await client.userinfo(tokens.access_token, 'alice')).toMatchObject({
        email: 'alice@example.org',
      });
    }
    // The impersonated token still works, still as carol: it does not depend on the carrier session.
    expect(await rp.userinfo(first.access_token, 'carol')).toMatchObject({
      sub: 'carol',
      email: 'carol@example.org',
    });
    expect(await rp.introspect(first.access_token)).toMatchObject({ active: true, sub: 'carol' });
  });

  it('(c) refuses an account the specific policy denies: Access Denied, audited, no code', async () => {
    const b = browser();
    const { page: form } = await signIn(b, rp, 'alice');
    const denied = await b.submit(form, { principal: 'dave' }, '_eventId_impersonate');
    expect(denied.status).toBe(403);
    expect(denied.html.querySelector('h1')?.text).toBe('Access Denied');
    expect(denied.headers.get('location')).toBeNull();
    // The page names the client and leads back to it: the origin of its redirect URI.
    expect(denied.html.querySelector('.service')?.text).toBe(
      'Demo OpenID Connect Client (demo-rp)',
    );
    expect(denied.html.querySelector('.requested')?.text).toBe('dave');
    expect(denied.html.querySelector('.signed-in')?.text).toBe('alice');
    expect(denied.html.querySelector('a.back-to-service')?.getAttribute('href')).toBe(
      `${new URL(DEMO_CALLBACK).origin}/`,
    );
    const last = audits().pop()!;
    expect(last).toMatchObject({
      e: 'ImpersonationViolation',
      u: 'alice',
      uu: '',
      SP: 'demo-rp',
      ut: 'dave',
      utc: 'dave',
    });
  });

  it('(d) shows no form when the general policy denies; the client gets the real user', async () => {
    const b = browser();
    const { page, pending } = await signIn(b, rp, 'dave');
    const tokens = await rp.redeem(redirectedTo(page), pending);
    expect(tokens.claims()!.sub).toBe('dave');
    expect(await rp.userinfo(tokens.access_token, 'dave')).toMatchObject({
      email: 'dave@example.org',
    });
  });
});

describe('(e) prompt=none', () => {
  it('answers login_required without an IdP session', async () => {
    const pending = await rp.authorize({ prompt: 'none' });
    const params = callbackParams(redirectedTo(await browser().get(pending.url)));
    expect(params.get('error')).toBe('login_required');
    expect(params.get('code')).toBeNull();
  });

  it('never yields an impersonated token, and never a silent one where impersonation could be offered', async () => {
    const b = browser();
    const { page: form, pending } = await signIn(b, rp, 'alice');
    await rp.redeem(
      redirectedTo(await b.submit(form, { principal: 'bob' }, '_eventId_impersonate')),
      pending,
    );

    for (const client of [rp, other]) {
      const silent = await client.authorize({ prompt: 'none' });
      const params = callbackParams(redirectedTo(await b.get(silent.url)));
      expect(params.get('code')).toBeNull();
      expect(['interaction_required', 'login_required']).toContain(params.get('error'));
    }
    // Even after continuing as herself, alice is entitled here: prompt=none still cannot decide for her.
    const next = await rp.authorize();
    await rp.redeem(
      redirectedTo(await b.submit(await b.get(next.url), {}, '_eventId_proceed')),
      next,
    );
    const silent = await rp.authorize({ prompt: 'none' });
    expect(callbackParams(redirectedTo(await b.get(silent.url))).get('error')).toBe(
      'interaction_required',
    );
  });

  it('signs in silently where no form is needed', async () => {
    const b = browser();
    const { page, pending } = await signIn(b, rp, 'dave');
    await rp.redeem(redirectedTo(page), pending);
    const silent = await rp.authorize({ prompt: 'none' });
    const tokens = await rp.redeem(redirectedTo(await b.get(silent.url)), silent);
    expect(tokens.claims()!.sub).toBe('dave');
    expect(
      audits()
        .filter((r) => r.SP === 'demo-rp')
        .slice(-2)[0],
    ).toMatchObject({ u: 'dave', uu: '', SSO: 'true' });
  });

  it('still signs in silently at a client after an authorization at another client replaced the carrier session', async () => {
    const b = browser();
    const { page, pending } = await signIn(b, rp, 'dave');
    await rp.redeem(redirectedTo(page), pending);
    const elsewhere = await other.authorize();
    await other.redeem(redirectedTo(await b.get(elsewhere.url)), elsewhere);
    const silent = await rp.authorize({ prompt: 'none' });
    const tokens = await rp.redeem(redirectedTo(await b.get(silent.url)), silent);
    expect(tokens.claims()!.sub).toBe('dave');
  });
});

describe('(g) tokens issued under impersonation', () => {
  it('have the impersonation lifetime and no refresh token; ordinary ones keep theirs', async () => {
    const b = browser();
    const { page: form, pending } = await signIn(b, other, 'alice', {
      scope: 'openid profile email offline_access',
      prompt: 'consent',
    });
    const tokens = await other.redeem(
      redirectedTo(await b.submit(form, { principal: 'bob' }, '_eventId_impersonate')),
      pending,
    );
    expect(tokens.claims()!.sub).toBe('bob');
    expect(tokens.expires_in).toBeLessThanOrEqual(600);
    const claims = tokens.claims()!;
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);
    expect(tokens.refresh_token).toBeUndefined();

    const own = await other.authorize({
      scope: 'openid profile email offline_access',
      prompt: 'consent',
    });
    const ordinary = await other.redeem(
      redirectedTo(await b.submit(await b.get(own.url), {}, '_eventId_proceed')),
      own,
    );
    expect(ordinary.claims()!.sub).toBe('alice');
    expect(ordinary.expires_in).toBeGreaterThan(600);
    expect(ordinary.refresh_token).toBeDefined();
    const refreshed = await other.refresh(ordinary.refresh_token!);
    expect(refreshed.claims()!.sub).toBe('alice');
  });
});
