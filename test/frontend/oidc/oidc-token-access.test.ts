/**
 * Introspection and revocation only for the token's own client and the resource servers an admin
 * lists for it, with openid-client as every caller: clients, a resource server with a narrow
 * filter, and one whose filter releases everything but which serves a client that gets only uid.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Browser } from '../../support/browser.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp, type PendingAuthorization } from '../../support/test-rp.js';

const DEMO_SECRET = 'demo-rp-secret-for-the-demo-only';
const NARROW_SECRET = 'uid-only-client-secret-0123456789';
const API_SECRET = 'demo-api-secret-0123456789abcdef';
const GREEDY_SECRET = 'greedy-api-secret-0123456789abcd';

const NARROW_CLIENT = `
  - clientId: uid-only-rp
    clientSecret: ${NARROW_SECRET}
    redirectUris: ["http://127.0.0.1:9/narrow/callback"]
    scopes: [openid, profile, email]
    refreshTokens: true
`;

const RESOURCE_SERVERS = `
resourceServers:
  - clientId: demo-api
    clientSecret: ${API_SECRET}
    introspectTokensOf: ["%{demo.oidc.clientId}"]
  - clientId: greedy-api
    clientSecret: ${GREEDY_SECRET}
    tokenEndpointAuthMethod: client_secret_post
    introspectTokensOf: [uid-only-rp]
`;

const NARROW_FILTER = `
  - id: uidOnly
    requesters: [uid-only-rp]
    permit: [uid]
`;

const RESOURCE_SERVER_FILTER = `
  - id: demoApi
    requesters: [demo-api]
    permit: [uid, mail]
  - id: greedyApi
    requesters: [greedy-api]
    permit: ["*"]
`;

const notices: string[] = [];
beforeAll(() => {
  vi.spyOn(console, 'info').mockImplementation(
    (...args: unknown[]) => void notices.push(args.map(String).join(' ')),
  );
});
afterAll(() => {
  vi.restoreAllMocks();
});

async function start(withResourceServers: boolean): Promise<TestIdp> {
  return startTestIdp({
    properties: { 'demo.oidc.baseURL': 'http://127.0.0.1:9' },
    conf: {
      'relying-party.yaml': (old) =>
        old + NARROW_CLIENT + (withResourceServers ? RESOURCE_SERVERS : ''),
      'attribute-filter.yaml': (old) =>
        old + NARROW_FILTER + (withResourceServers ? RESOURCE_SERVER_FILTER : ''),
    },
  });
}

/** dave (never offered the impersonate form) signs in at the client: its tokens. */
async function tokensOf(client: TestRp, extra: Record<string, string> = {}) {
  const b = new Browser();
  b.stopAt.push('http://127.0.0.1:9/');
  const pending: PendingAuthorization = await client.authorize(extra);
  const page = await b.submit(
    await b.get(pending.url),
    { j_username: 'dave', j_password: 'demo-dave' },
    '_eventId_proceed',
  );
  expect(page.status).toBe(303);
  return client.redeem(page.headers.get('location')!, pending);
}

async function refusal(call: Promise<unknown>): Promise<{ status: number; error: string }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) return { status: err.status, error: err.error };
    throw err;
  }
  throw new Error('the call was not refused');
}

describe('introspection and revocation between clients', () => {
  let t: TestIdp;
  let demo: TestRp;
  let narrow: TestRp;
  beforeAll(async () => {
    t = await start(false);
    demo = await TestRp.create(t.baseURL, 'demo-rp', DEMO_SECRET, 'http://127.0.0.1:9/callback');
    narrow = await TestRp.create(
      t.baseURL,
      'uid-only-rp',
      NARROW_SECRET,
      'http://127.0.0.1:9/narrow/callback',
    );
  });
  afterAll(async () => t?.close());

  it('refuse another client the demo client’s token: inactive, no claims, nothing revoked', async () => {
    const tokens = await tokensOf(demo);
    // uid-only-rp's own filter releases only uid: it must not read dave's email, name, affiliation.
    expect(await narrow.introspect(tokens.access_token)).toEqual({ active: false });
    expect(await refusal(narrow.revoke(tokens.access_token))).toEqual({
      status: 400,
      error: 'unauthorized_client',
    });
    // The token still works for its client.
    expect(await demo.userinfo(tokens.access_token, 'dave')).toMatchObject({ sub: 'dave' });
    expect(await demo.introspect(tokens.access_token)).toMatchObject({ active: true, sub: 'dave' });
  });

  it('still let a client introspect and revoke its own tokens, with the claims its filter releases', async () => {
    const tokens = await tokensOf(demo);
    expect(await demo.introspect(tokens.access_token)).toMatchObject({
      active: true,
      sub: 'dave',
      email: 'dave@example.org',
      name: 'Dave Developer',
      preferred_username: 'dave',
    });
    const narrowTokens = await tokensOf(narrow);
    const own = await narrow.introspect(narrowTokens.access_token);
    expect(own).toMatchObject({ active: true, preferred_username: 'dave' });
    expect(own).not.toHaveProperty('email');
    await narrow.revoke(narrowTokens.access_token);
    expect(await narrow.introspect(narrowTokens.access_token)).toEqual({ active: false });
  });
});

describe('introspection by resource servers listed in relying-party.yaml', () => {
  let t: TestIdp;
  let demo: TestRp;
  let narrow: TestRp;
  let api: TestRp;
  let greedy: TestRp;
  beforeAll(async () => {
    t = await start(true);
    demo = await TestRp.create(t.baseURL, 'demo-rp', DEMO_SECRET, 'http://127.0.0.1:9/callback');
    narrow = await TestRp.create(
      t.baseURL,
      'uid-only-rp',
      NARROW_SECRET,
      'http://127.0.0.1:9/narrow/callback',
    );
    api = await TestRp.create(t.baseURL, 'demo-api', API_SECRET, 'http://127.0.0.1:9/unused');
    greedy = await TestRp.create(
      t.baseURL,
      'greedy-api',
      GREEDY_SECRET,
      'http://127.0.0.1:9/unused',
    );
  });
  afterAll(async () => t?.close());

  it('give a listed resource server the claims its own filter releases, and nothing else', async () => {
    const tokens = await tokensOf(demo);
    const answer = await api.introspect(tokens.access_token);
    expect(answer).toMatchObject({
      active: true,
      sub: 'dave',
      client_id: 'demo-rp',
      scope: 'openid profile email',
      email: 'dave@example.org',
      preferred_username: 'dave',
    });
    expect(answer).not.toHaveProperty('name'); // released to demo-rp, not to demo-api
    expect(answer).not.toHaveProperty('eduperson_affiliation');
    // It may not revoke, nor introspect the tokens of a client it is not listed for, nor the
    // refresh tokens even of a client it is listed for.
    expect(await refusal(api.revoke(tokens.access_token))).toEqual({
      status: 400,
      error: 'unauthorized_client',
    });
    const other = await tokensOf(narrow, {
      scope: 'openid profile email offline_access',
      prompt: 'consent',
    });
    expect(await api.introspect(other.access_token)).toEqual({ active: false });
    expect(other.refresh_token).toBeDefined();
    expect(await greedy.introspect(other.refresh_token!)).toEqual({ active: false });
    expect(await narrow.introspect(other.refresh_token!)).toMatchObject({
      active: true,
      sub: 'dave',
    });
  });

  it('never give a resource server more than the token’s own client receives', async () => {
    const tokens = await tokensOf(narrow);
    const answer = await greedy.introspect(tokens.access_token); // greedy-api's filter permits "*"
    expect(answer).toMatchObject({
      active: true,
      sub: 'dave',
      client_id: 'uid-only-rp',
      preferred_username: 'dave',
    });
    for (const claim of ['email', 'name', 'eduperson_affiliation', 'eduperson_principal_name'])
      expect(answer).not.toHaveProperty(claim);
  });

  it('give a resource server no way to obtain tokens itself', async () => {
    expect((await refusal(oidc.clientCredentialsGrant(api.config))).status).toBe(400);
    const b = new Browser();
    const page = await b.get(
      `${t.baseURL}/idp/profile/oidc/authorize?client_id=demo-api&response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fx&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`,
    );
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
  });
});

it('replaces oidc-provider’s default policies (no NOTICE about allowedPolicy)', () => {
  expect(notices.filter((n) => n.includes('allowedPolicy'))).toEqual([]);
});
