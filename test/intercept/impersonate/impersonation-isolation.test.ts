/**
 * Isolation of concurrent impersonations in one IdP session (issue 10, item 8 — Kobicha's rule:
 * impersonation applies to one thread, never to others). One tester, erin of the help desk, signs
 * in once (one cookie jar, one IdP session), then opens several flows at once — SAML AuthnRequests
 * from three service providers and OpenID Connect authorizations from three clients, two of them
 * twice — and answers the impersonate forms all at once in a shuffled order, each with another
 * target (and one "Continue normally"). Every relying party must receive exactly the account
 * chosen in its own flow, the IdP session must stay erin's, and the audit log must pair each
 * (relying party, target) with erin under a transaction of its own. Rounds repeat with seeded
 * shuffles, so the pairing of flows, targets and answer order varies.
 *
 * HTTP level: one Browser (test/support/browser.ts) is one browser with one cookie jar; its
 * requests run concurrently, as tabs' requests do. test/e2e/oidc-parallel-tabs.test.ts covers
 * several tabs of one OIDC client in Chromium.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../../../src/frontend/oidc/oidc-audit.js';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp, type PendingAuthorization } from '../../support/test-rp.js';
import { attribute, OID, responseXml, TestSp } from '../../support/test-sp.js';

const TESTER = 'erin';
/** Where the clients' redirect URIs and the SPs' ACS point: nothing listens; the browser stops. */
const STOP = 'http://127.0.0.1:9';
const SECRET = 'isolation-client-secret-0123456789';

/** The service providers: all under https://*.example.org/**, where the help desk may impersonate. */
const SAML_SPS = [
  'https://sp.demo.example.org/shibboleth',
  'https://sp2.example.org/shibboleth',
  'https://sp3.example.org/shibboleth',
] as const;
const OIDC_CLIENTS = [
  'https://app1.example.org/oidc',
  'https://app2.example.org/oidc',
  'https://app3.example.org/oidc',
] as const;

/** The name the forms show for each relying party (relying-party.yaml's displayName). */
function displayName(id: string): string {
  if (id === SAML_SPS[0]) return 'Demo SAML Service Provider';
  const sp = SAML_SPS.indexOf(id as (typeof SAML_SPS)[number]);
  return sp > 0
    ? `Isolation SP ${sp + 1}`
    : `Isolation client ${OIDC_CLIENTS.indexOf(id as never) + 1}`;
}

/** Extra ordinary accounts, so that every flow of a round can have a target of its own. */
const EXTRA_USERS = ['frank', 'grace', 'heidi', 'ivan'] as const;
/** Everyone erin may impersonate (admin is protected; alice and carol hold entitlements she lacks: the escalation guard; erin herself is "Continue normally"). */
const TARGETS = ['bob', 'dave', ...EXTRA_USERS] as const;

const DISPLAY_NAMES: Record<string, string> = {
  alice: 'Alice Tester',
  bob: 'Bob Builder',
  carol: 'Carol Customer',
  dave: 'Dave Developer',
  erin: 'Erin Helpdesk',
  frank: 'Frank Extra',
  grace: 'Grace Extra',
  heidi: 'Heidi Extra',
  ivan: 'Ivan Extra',
};

/** A flow's relying party: which protocol, and its id (SAML entity ID or OIDC client id). */
interface Rp {
  readonly kind: 'saml' | 'oidc';
  readonly id: string;
}

/** The relying parties of a round's flows: every one once, and one SP and one client twice. */
const FLOW_RPS: readonly Rp[] = [
  ...SAML_SPS.map((id) => ({ kind: 'saml' as const, id })),
  ...OIDC_CLIENTS.map((id) => ({ kind: 'oidc' as const, id })),
  { kind: 'saml', id: SAML_SPS[1] },
  { kind: 'oidc', id: OIDC_CLIENTS[2] },
];

const ROUNDS = [0x5eed01, 0x5eed02, 0x5eed03, 0x5eed04] as const;

/** mulberry32: a small seeded PRNG, so that a failing round can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const ms = (n: number) => new Promise<void>((resolve) => setTimeout(resolve, n));

function conf(): Record<string, (old: string) => string> {
  const sps = SAML_SPS.slice(1)
    .map(
      (id, i) => `
  - entityID: "${id}"
    displayName: Isolation SP ${i + 2}
    assertionConsumerServiceURL: "${STOP}/sp${i + 2}/acs"
    nameIDFormat: unspecified
    postAuthenticationFlows: [impersonate]
`,
    )
    .join('');
  const clients = OIDC_CLIENTS.map(
    (id, i) => `
  - clientId: "${id}"
    clientSecret: ${SECRET}
    displayName: Isolation client ${i + 1}
    redirectUris: ["${STOP}/app${i + 1}/callback"]
    scopes: [openid, profile, email]
    postAuthenticationFlows: [impersonate]
`,
  ).join('');
  const users = EXTRA_USERS.map(
    (u) => `
  - username: ${u}
    password: demo-${u}
    attributes:
      displayName: ${DISPLAY_NAMES[u]}
      mail: ${u}@example.org
      affiliation: [member]
`,
  ).join('');
  const requesters = [...SAML_SPS.slice(1), ...OIDC_CLIENTS].map((id) => `"${id}"`).join(', ');
  return {
    'relying-party.yaml': (old) =>
      old
        .replace('\noidcClients:\n', `${sps}\noidcClients:\n`)
        .replace(/\n(# resourceServers:)/, `${clients}\n$1`),
    'attribute-filter.yaml': (old) =>
      old.replace('"%{demo.oidc.clientId}"]', `"%{demo.oidc.clientId}", ${requesters}]`),
    'demo-users.yaml': (old) => `${old.trimEnd()}\n${users}`,
  };
}

let t: TestIdp;
const sps = new Map<string, TestSp>();
const clients = new Map<string, TestRp>();

beforeAll(async () => {
  t = await startTestIdp({ properties: { 'demo.oidc.baseURL': STOP }, conf: conf() });
  for (const [i, id] of SAML_SPS.entries()) {
    const acsURL = i === 0 ? `${STOP}/saml/acs` : `${STOP}/sp${i + 1}/acs`;
    sps.set(id, await TestSp.create(t.baseURL, { entityID: id, acsURL }));
  }
  for (const [i, id] of OIDC_CLIENTS.entries())
    clients.set(id, await TestRp.create(t.baseURL, id, SECRET, `${STOP}/app${i + 1}/callback`));
});
afterAll(async () => t?.close());

/** One browser, one cookie jar: every flow of the test runs in it. */
function testerBrowser(): Browser {
  const b = new Browser();
  b.stopAt.push(`${STOP}/`);
  return b;
}

/** One flow in flight: its relying party, what it asked for, and the impersonate form it reached. */
interface Flow {
  readonly index: number;
  readonly rp: Rp;
  /** The account to impersonate, or undefined for "Continue normally". */
  readonly target: string | undefined;
  /** SAML: the AuthnRequest's ID; OIDC: the pending authorization (state, PKCE verifier). */
  readonly requestId?: string;
  readonly pending?: PendingAuthorization;
  readonly form: Page;
}

/** What a relying party ended up with, and how to find its release records in the audit log. */
interface Received {
  readonly flow: Flow;
  /** The account in every place the relying party reads one. */
  readonly accounts: string[];
  readonly mails: string[];
  readonly names: string[];
  /** %i of the release records: SAML the assertion ID; OIDC hashes of the code and of the ID token. */
  readonly releaseIds: string[];
}

function authnRequestId(loginURL: string): string {
  const deflated = new URL(loginURL).searchParams.get('SAMLRequest')!;
  const xml = inflateRawSync(Buffer.from(deflated, 'base64')).toString('utf8');
  return /\sID="([^"]+)"/.exec(xml)![1]!;
}

function expectForm(page: Page, what: string): void {
  expect(
    page.html.querySelector('input[name=j_password]'),
    `${what}: no password asked`,
  ).toBeNull();
  expect(page.html.querySelector('h1')?.text, `${what}: ${page.body.slice(0, 600)}`).toBe(
    'Account Impersonation',
  );
}

/** Starts a flow at its relying party and follows it to the impersonate form. */
async function open(
  b: Browser,
  index: number,
  rp: Rp,
  target: string | undefined,
  delay: number,
): Promise<Flow> {
  await ms(delay);
  let flow: Omit<Flow, 'form'>;
  let url: string;
  if (rp.kind === 'saml') {
    url = await sps.get(rp.id)!.loginURL(`relay-${index}`);
    flow = { index, rp, target, requestId: authnRequestId(url) };
  } else {
    const pending = await clients.get(rp.id)!.authorize();
    url = pending.url;
    flow = { index, rp, target, pending };
  }
  const form = await b.get(url);
  expectForm(form, `flow ${index} at ${rp.id}`);
  // The form asks about this flow's relying party.
  expect(form.body, `flow ${index}`).toContain(displayName(rp.id));
  return { ...flow, form };
}

/** Answers a flow's form (impersonate its target, or continue normally) and reads what its RP got. */
async function answer(b: Browser, flow: Flow, delay: number): Promise<Received> {
  await ms(delay);
  inFlight.now++;
  inFlight.max = Math.max(inFlight.max, inFlight.now);
  try {
    return await answerNow(b, flow);
  } finally {
    inFlight.now--;
  }
}

/** How many answers are under way at once (the rounds must really overlap them). */
const inFlight = { now: 0, max: 0 };

async function answerNow(b: Browser, flow: Flow): Promise<Received> {
  const what = `flow ${flow.index} at ${flow.rp.id} (${flow.target ?? 'continue normally'})`;
  const page = await b.submit(
    flow.form,
    flow.target ? { principal: flow.target } : {},
    flow.target ? '_eventId_impersonate' : '_eventId_proceed',
  );
  return flow.rp.kind === 'saml' ? receiveSaml(flow, page, what) : receiveOidc(flow, page, what);
}

async function receiveSaml(flow: Flow, page: Page, what: string): Promise<Received> {
  const sp = sps.get(flow.rp.id)!;
  const profile = await sp.receive(page).catch((err: Error) => {
    throw new Error(`${what}: the SP refused the response: ${err.message}`);
  });
  expect(profile.inResponseTo, `${what}: answers its own AuthnRequest`).toBe(flow.requestId);
  expect(profile.issuer).toBe(t.idp.config.properties.entityID);
  expect(page.html.querySelector('input[name=RelayState]')?.getAttribute('value')).toBe(
    `relay-${flow.index}`,
  );
  const xml = responseXml(page);
  const assertionId = /<(?:\w+:)?Assertion\b[^>]*\sID="([^"]+)"/.exec(xml)![1]!;
  return {
    flow,
    accounts: [profile.nameID, ...attribute(profile, OID.uid)],
    mails: attribute(profile, OID.mail),
    names: attribute(profile, OID.displayName),
    releaseIds: [assertionId],
  };
}

async function receiveOidc(flow: Flow, page: Page, what: string): Promise<Received> {
  const client = clients.get(flow.rp.id)!;
  const location = page.headers.get('location');
  expect(
    location,
    `${what}: back at the client, not ${page.status} ${page.body.slice(0, 400)}`,
  ).toMatch(new RegExp(`^${client.redirectUri}\\?`));
  const code = new URL(location!).searchParams.get('code')!;
  const tokens = await client.redeem(location!, flow.pending!).catch((err: Error) => {
    throw new Error(`${what}: the client could not redeem its code: ${err.message}`);
  });
  const claims = tokens.claims()!;
  expect(claims.aud, what).toBe(flow.rp.id);
  const userinfo = await client.userinfo(tokens.access_token, claims.sub);
  const introspection = await client.introspect(tokens.access_token);
  expect(introspection.active, what).toBe(true);
  return {
    flow,
    // The ID token carries sub only; the claims come from userinfo.
    accounts: [
      claims.sub,
      userinfo.sub,
      String(userinfo.preferred_username),
      String(introspection.sub),
    ],
    mails: [String(userinfo.email)],
    names: [String(userinfo.name)],
    releaseIds: [tokenHash(code), tokenHash(tokens.id_token!)],
  };
}

type Record_ = ReturnType<typeof auditRecord>;

/** The release records of each flow, checked against the flow's own (rp, target) and tester. */
function expectAudited(received: readonly Received[], records: readonly Record_[]): void {
  const releases = records.filter((r) => r.act === 'release');
  for (const { flow, releaseIds } of received) {
    const effective = flow.target ?? TESTER;
    // A token record is its authorization's: two flows as the same account at the same client in
    // the same second get the same ID token (it has no unique claim), so %i alone cannot tell them.
    const [own] = releaseIds;
    const mine = releases.filter(
      (r) => r.i === own || (r.P === 'OIDC/Token' && r.det.includes(`authorization=${own}`)),
    );
    const what = `flow ${flow.index} at ${flow.rp.id} as ${effective}`;
    expect(
      mine.map((r) => r.P),
      what,
    ).toEqual(flow.rp.kind === 'saml' ? ['SAML2/SSO'] : ['OIDC/SSO', 'OIDC/Token']);
    if (flow.rp.kind === 'oidc') expect(mine[1]!.i, what).toBe(releaseIds[1]);
    for (const r of mine)
      expect(r, what).toMatchObject({
        SP: flow.rp.id,
        u: effective,
        uu: flow.target ? TESTER : '',
        utc: flow.target ?? '',
        e: '',
      });
  }
  // Nothing else was released in the round, and nothing was refused.
  const expected = received.reduce((n, r) => n + r.releaseIds.length, 0);
  expect(releases).toHaveLength(expected);
  expect(records.filter((r) => r.act === 'refuse' || r.e !== '')).toEqual([]);
  // Each release was its own request: its own transaction id.
  const txs = releases.map((r) => r.tx);
  expect(txs.every((tx) => /^[\w-]{16}$/.test(tx))).toBe(true);
  expect(new Set(txs).size).toBe(txs.length);
  // The authorizations and assertions were all answered from the one IdP session.
  const sessions = new Set(releases.filter((r) => r.P !== 'OIDC/Token').map((r) => r.s));
  expect(sessions.size, [...sessions].join(' ')).toBe(1);
}

/** A plain flow at `rp`, answered "Continue normally": the IdP session is still the tester's. */
async function expectStillTester(b: Browser, rp: Rp): Promise<void> {
  const flow = await open(b, -1, rp, undefined, 0);
  expect(flow.form.body).toContain(TESTER);
  const received = await answer(b, flow, 0);
  expect(new Set(received.accounts), `plain flow at ${rp.id}`).toEqual(new Set([TESTER]));
}

/** One round: opens every flow at once, then answers all forms at once in a shuffled order. */
async function round(b: Browser, seed: number): Promise<void> {
  const random = prng(seed);
  const targets = shuffle(TARGETS, random).slice(0, FLOW_RPS.length - 1);
  // One flow (a random one) continues normally; every other one impersonates a target of its own.
  const answers: (string | undefined)[] = shuffle([...targets, undefined], random);
  const before = t.auditRecords().length;

  const flows = await Promise.all(
    FLOW_RPS.map((rp, i) => open(b, i, rp, answers[i], Math.floor(random() * 15))),
  );
  const order = shuffle(flows, random);
  inFlight.max = 0;
  const received = await Promise.all(
    order.map((flow) => answer(b, flow, Math.floor(random() * 25))),
  );

  expect(inFlight.max, 'answers overlapped').toBeGreaterThan(1);
  for (const { flow, accounts, mails, names } of received) {
    const effective = flow.target ?? TESTER;
    const what = `seed ${seed.toString(16)}: flow ${flow.index} at ${flow.rp.id}`;
    expect(new Set(accounts), what).toEqual(new Set([effective]));
    expect(new Set(mails), what).toEqual(new Set([`${effective}@example.org`]));
    expect(new Set(names), what).toEqual(new Set([DISPLAY_NAMES[effective]]));
  }
  expectAudited(received, t.auditRecords().slice(before).map(auditRecord));
}

describe('concurrent impersonations in one IdP session never cross', { timeout: 30_000 }, () => {
  it('every relying party receives the account chosen in its own flow, round after round', async () => {
    const b = testerBrowser();
    // Sign in once: a password login at the demo SP, continuing as erin.
    const login = await b.get(await sps.get(SAML_SPS[0])!.loginURL('relay-login'));
    const form = await b.submit(
      login,
      { j_username: TESTER, j_password: `demo-${TESTER}` },
      '_eventId_proceed',
    );
    expectForm(form, 'after the login');
    const first = await sps.get(SAML_SPS[0])!.receive(await b.submit(form, {}, '_eventId_proceed'));
    expect(first.nameID).toBe(TESTER);
    const session = t.lastAudit().s;
    expect(session).not.toBe('');

    for (const seed of ROUNDS) {
      await round(b, seed);
      // The session is still erin's, and still the same session.
      await expectStillTester(b, { kind: 'saml', id: SAML_SPS[2] });
      expect(t.lastAudit()).toMatchObject({ u: TESTER, uu: '', s: session, act: 'release' });
      await expectStillTester(b, { kind: 'oidc', id: OIDC_CLIENTS[0] });
    }
    // No password was asked again: one login for the whole test.
    const logins = t
      .auditRecords()
      .map(auditRecord)
      .filter((r) => r.act === 'login');
    expect(logins.map((r) => [r.u, r.e])).toEqual([[TESTER, '']]);
  });
});
