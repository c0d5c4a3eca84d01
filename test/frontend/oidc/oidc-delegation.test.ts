/**
 * Impersonation level delegate for OpenID Connect (issue 10): a client trusted for delegation
 * receives the target as `sub` and the tester as the actor, RFC 8693 §4.1 `act` — in the ID token,
 * at userinfo, in the introspection answer (to the client and to a resource server whose filter
 * releases almost nothing), after a refresh — while plain impersonation and ordinary sign-ins have
 * no `act`, asking for a claim named `act` gets none, and a client not trusted for delegation
 * shows the form again. openid-client is the relying party and the resource server, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp, type PendingAuthorization } from '../../support/test-rp.js';

const STOP = 'http://127.0.0.1:9';
const DELEGATE_SECRET = 'delegate-client-secret-0123456789';
const API_SECRET = 'delegate-api-secret-0123456789ab';
const REASON = 'INC-42 check, 100% "ok" | <b>';

const DELEGATE_CLIENT = `
  - clientId: delegate-rp
    clientSecret: ${DELEGATE_SECRET}
    displayName: Delegating Client
    redirectUris: ["${STOP}/delegate/callback"]
    scopes: [openid, profile, email]
    refreshTokens: true
    postAuthenticationFlows: [impersonate]
    impersonation: { maxLevel: delegate, trustedForDelegation: true }
resourceServers:
  - clientId: delegate-api
    clientSecret: ${API_SECRET}
    introspectTokensOf: [delegate-rp]
`;

const API_FILTER = `
  - id: delegateApi
    requesters: [delegate-api]
    permit: [uid]
`;

let t: TestIdp;
let demo: TestRp;
let delegating: TestRp;
let api: TestRp;

beforeAll(async () => {
  t = await startTestIdp({
    properties: {
      'demo.oidc.baseURL': STOP,
      'idp.oidc.impersonation.refreshTokens': 'true',
    },
    conf: {
      'relying-party.yaml': (old) => old + DELEGATE_CLIENT,
      'attribute-filter.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', '"%{demo.oidc.clientId}", delegate-rp]') +
        API_FILTER,
      'demo-users.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', '"%{demo.oidc.clientId}", delegate-rp]'),
    },
  });
  demo = await TestRp.create(
    t.baseURL,
    'demo-rp',
    'demo-rp-secret-for-the-demo-only',
    `${STOP}/callback`,
  );
  delegating = await TestRp.create(
    t.baseURL,
    'delegate-rp',
    DELEGATE_SECRET,
    `${STOP}/delegate/callback`,
  );
  // A resource server: it only introspects, so its redirect URI is never used.
  api = await TestRp.create(t.baseURL, 'delegate-api', API_SECRET, `${STOP}/unused`);
});
afterAll(async () => t?.close());

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push(`${STOP}/`);
  return b;
}

/** alice signs in at `client`: the impersonate form and the pending authorization. */
async function formFor(
  b: Browser,
  client: TestRp,
  extra: Record<string, string> = {},
): Promise<{ form: Page; pending: PendingAuthorization }> {
  const pending = await client.authorize(extra);
  const login = await b.get(pending.url);
  const form = await b.submit(
    login,
    { j_username: 'alice', j_password: 'demo-alice' },
    '_eventId_proceed',
  );
  expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
  return { form, pending };
}

/** alice impersonates bob at `client` at `level` (with `reason` when given): the tokens. */
async function actAsBob(
  client: TestRp,
  level: string,
  { reason, extra }: { reason?: string; extra?: Record<string, string> } = {},
) {
  const b = browser();
  const { form, pending } = await formFor(b, client, extra);
  const sent = await b.submit(
    form,
    { principal: 'bob', level, reason: reason ?? '' },
    '_eventId_impersonate',
  );
  expect(sent.status).toBe(303);
  return client.redeem(sent.headers.get('location')!, pending);
}

/** The authorization and token records of the last sign-in at `client`. */
function lastRecords(client: string) {
  const records = t
    .auditRecords()
    .map(auditRecord)
    .filter((r) => r.SP === client && r.act === 'release');
  return { authorization: records.at(-2)!, token: records.at(-1)! };
}

describe('OIDC impersonation at level delegate', () => {
  it('names alice as the actor, with the reason, in the ID token, userinfo and introspection', async () => {
    const tokens = await actAsBob(delegating, 'delegate', { reason: REASON });
    const act = { sub: 'alice', reason: REASON };
    const claims = tokens.claims()!;
    expect(claims.sub).toBe('bob');
    expect(claims.act).toEqual(act);

    const userinfo = await delegating.userinfo(tokens.access_token, 'bob');
    expect(userinfo).toMatchObject({ sub: 'bob', email: 'bob@example.org', act });

    expect(await delegating.introspect(tokens.access_token)).toMatchObject({
      active: true,
      sub: 'bob',
      client_id: 'delegate-rp',
      email: 'bob@example.org',
      act,
    });
    // The resource server's filter releases uid only: act is protocol data, not an attribute.
    const atApi = await api.introspect(tokens.access_token);
    expect(atApi).toMatchObject({ active: true, sub: 'bob', act });
    expect(atApi.email).toBeUndefined();

    const { authorization, token } = lastRecords('delegate-rp');
    for (const record of [authorization, token]) {
      expect(record).toMatchObject({ u: 'bob', uu: 'alice' });
      expect(record.det).toContain(',level=delegate,');
      expect(record.det).toMatch(/reason=INC-42/);
    }
    expect(token.det).toMatch(/^authorization=[A-Za-z0-9_-]{22},grant=/);
  });

  it('keeps act, without a reason when none was given, through a refresh', async () => {
    const tokens = await actAsBob(delegating, 'delegate', {
      extra: { scope: 'openid profile email offline_access', prompt: 'consent' },
    });
    expect(tokens.claims()!.act).toEqual({ sub: 'alice' });
    expect(tokens.refresh_token).toBeDefined();

    const refreshed = await delegating.refresh(tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ sub: 'bob', act: { sub: 'alice' } });
    expect(await delegating.userinfo(refreshed.access_token, 'bob')).toMatchObject({
      act: { sub: 'alice' },
    });
    expect(await api.introspect(refreshed.access_token)).toMatchObject({
      active: true,
      act: { sub: 'alice' },
    });
    const { token } = lastRecords('delegate-rp');
    expect(token).toMatchObject({ u: 'bob', uu: 'alice', b: 'refresh_token' });
    expect(token.det).toMatch(/,level=delegate$/);
  });

  it('names no actor for plain impersonation, even when the client asks for a claim named act', async () => {
    const tokens = await actAsBob(delegating, 'impersonate', {
      reason: 'INC-7',
      extra: { claims: JSON.stringify({ id_token: { act: null }, userinfo: { act: null } }) },
    });
    expect(tokens.claims()!.sub).toBe('bob');
    expect(tokens.claims()!.act).toBeUndefined();
    expect((await delegating.userinfo(tokens.access_token, 'bob')).act).toBeUndefined();
    expect((await delegating.introspect(tokens.access_token)).act).toBeUndefined();
    expect((await api.introspect(tokens.access_token)).act).toBeUndefined();
    const { authorization, token } = lastRecords('delegate-rp');
    expect(authorization.det).toMatch(/,level=impersonate,reason=INC-7$/);
    expect(token.det).toMatch(/,level=impersonate,reason=INC-7$/);
  });

  it('names no actor and no level for an ordinary sign-in', async () => {
    const b = browser();
    const { form, pending } = await formFor(b, delegating);
    const sent = await b.submit(form, {}, '_eventId_proceed');
    const tokens = await delegating.redeem(sent.headers.get('location')!, pending);
    expect(tokens.claims()!.sub).toBe('alice');
    expect(tokens.claims()!.act).toBeUndefined();
    expect((await delegating.userinfo(tokens.access_token, 'alice')).act).toBeUndefined();
    expect((await api.introspect(tokens.access_token)).act).toBeUndefined();
    const { authorization, token } = lastRecords('delegate-rp');
    expect(authorization).toMatchObject({ u: 'alice', uu: '' });
    expect(authorization.det).not.toContain('level=');
    expect(token.det).not.toContain('level=');
  });

  it('lists the delegation with its level on the tester\'s "Who am I" page', async () => {
    const b = browser();
    const { form, pending } = await formFor(b, delegating);
    const sent = await b.submit(
      form,
      { principal: 'carol', level: 'delegate', reason: '' },
      '_eventId_impersonate',
    );
    await delegating.redeem(sent.headers.get('location')!, pending);
    const page = await b.get(`${t.baseURL}/idp/profile/whoami`);
    const row = page.html
      .querySelector('table.impersonations tbody tr')
      ?.querySelectorAll('td')
      .map((td) => td.text);
    expect(row?.slice(0, 3)).toEqual(['carol', 'delegate-rp', 'delegate']);
  });

  it('shows the form again for level delegate at a client not trusted for delegation', async () => {
    const b = browser();
    const { form } = await formFor(b, demo);
    const again = await b.submit(
      form,
      { principal: 'bob', level: 'delegate', reason: '' },
      '_eventId_impersonate',
    );
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBeNull();
    expect(again.html.querySelector('#impersonate-level-error')).not.toBeNull();
    expect(t.auditRecords().map(auditRecord).at(-1)).toMatchObject({
      act: 'refuse',
      e: 'InvalidImpersonationLevel',
      u: 'alice',
      SP: 'demo-rp',
      det: 'problem=above-cap',
    });
  });
});
