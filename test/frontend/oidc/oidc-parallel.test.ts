/**
 * Parallel authorizations in one browser at the HTTP level, where requests can be truly
 * simultaneous: every tab answers its form first, then all tabs follow their redirects back to
 * oidc-provider at once. Each must reach the client with its own account, and the audit log must
 * say so. (The Chromium suite test/e2e/oidc-parallel-tabs.test.ts clicks the same through.)
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../../../src/frontend/oidc/oidc-audit.js';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp, type PendingAuthorization } from '../../support/test-rp.js';

const CALLBACK = 'http://127.0.0.1:9/callback';
let t: TestIdp;
let rp: TestRp;

beforeAll(async () => {
  t = await startTestIdp({ properties: { 'demo.oidc.baseURL': 'http://127.0.0.1:9' } });
  rp = await TestRp.create(t.baseURL, 'demo-rp', 'demo-rp-secret-for-the-demo-only', CALLBACK);
});
afterAll(async () => t?.close());

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push('http://127.0.0.1:9/');
  return b;
}

async function signedIn(user: string): Promise<Browser> {
  const b = browser();
  const pending = await rp.authorize();
  const form = await b.submit(
    await b.get(pending.url),
    { j_username: user, j_password: `demo-${user}` },
    '_eventId_proceed',
  );
  await rp.redeem((await b.submit(form, {}, '_eventId_proceed')).headers.get('location')!, pending);
  return b;
}

interface Tab {
  pending: PendingAuthorization;
  form: Page;
}

async function openTabs(b: Browser, n: number): Promise<Tab[]> {
  const tabs: Tab[] = [];
  for (let i = 0; i < n; i++) {
    const pending = await rp.authorize();
    const form = await b.get(pending.url);
    expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
    tabs.push({ pending, form });
  }
  return tabs;
}

/** The tab's answer at the IdP, not followed: where the IdP sends the browser next. */
async function answer(b: Browser, tab: Tab, target: string | undefined): Promise<string> {
  const page = target
    ? await b.submit(tab.form, { principal: target }, '_eventId_impersonate', false)
    : await b.submit(tab.form, {}, '_eventId_proceed', false);
  expect(page.status, page.html.querySelector('h1')?.text).toBe(303);
  return new URL(page.headers.get('location')!, page.url).href;
}

async function finish(
  b: Browser,
  tab: Tab,
  resume: string,
): Promise<{ sub: string; code: string; idToken: string }> {
  const landed = await b.get(resume);
  expect(
    landed.status,
    `${landed.html.querySelector('h1')?.text ?? ''} ${landed.body.slice(0, 300)}`,
  ).toBe(303);
  const callback = landed.headers.get('location')!;
  const tokens = await rp.redeem(callback, tab.pending);
  return {
    sub: tokens.claims()!.sub,
    code: new URL(callback).searchParams.get('code')!,
    idToken: tokens.id_token!,
  };
}

function expectAudited(result: { code: string; idToken: string }, u: string, uu: string): void {
  const records = t.auditRecords().map(auditRecord);
  expect(records.find((r) => r.i === tokenHash(result.code))).toMatchObject({
    u,
    uu,
    SP: 'demo-rp',
    e: '',
  });
  expect(records.find((r) => r.i === tokenHash(result.idToken))).toMatchObject({
    u,
    uu,
    SP: 'demo-rp',
    e: '',
  });
}

describe('parallel OIDC authorizations in one browser', () => {
  it('each tab ends as chosen when all tabs follow their redirects at the same time', async () => {
    const b = await signedIn('alice');
    const choices = ['bob', undefined, 'carol', undefined, 'bob'];
    const tabs = await openTabs(b, choices.length);
    const resumes: string[] = [];
    for (const [i, tab] of tabs.entries()) resumes.push(await answer(b, tab, choices[i]));
    const results = await Promise.all(tabs.map((tab, i) => finish(b, tab, resumes[i]!)));
    expect(results.map((r) => r.sub)).toEqual(choices.map((c) => c ?? 'alice'));
    for (const [i, result] of results.entries())
      expectAudited(result, choices[i] ?? 'alice', choices[i] ? 'alice' : '');
  });

  it('each tab ends as chosen when tabs answer and follow interleaved', async () => {
    const b = await signedIn('alice');
    const [one, two, three] = await openTabs(b, 3);
    const resumeOne = await answer(b, one!, 'bob');
    const resumeTwo = await answer(b, two!, undefined);
    expect((await finish(b, two!, resumeTwo)).sub).toBe('alice');
    const resumeThree = await answer(b, three!, 'carol');
    expect((await finish(b, one!, resumeOne)).sub).toBe('bob');
    expect((await finish(b, three!, resumeThree)).sub).toBe('carol');
  });

  it('a password sign-in in one tab leaves another tab at the login form usable', async () => {
    const b = browser();
    const first = await rp.authorize();
    const second = await rp.authorize();
    const loginOne = await b.get(first.url);
    const loginTwo = await b.get(second.url);
    const formOne = await b.submit(
      loginOne,
      { j_username: 'alice', j_password: 'demo-alice' },
      '_eventId_proceed',
    );
    expect(formOne.html.querySelector('h1')?.text).toBe('Account Impersonation');
    const one = await rp.redeem(
      (await b.submit(formOne, { principal: 'bob' }, '_eventId_impersonate')).headers.get(
        'location',
      )!,
      first,
    );
    expect(one.claims()!.sub).toBe('bob');
    // The second login form was shown before the sign-in gave the session a new id.
    const formTwo = await b.submit(
      loginTwo,
      { j_username: 'alice', j_password: 'demo-alice' },
      '_eventId_proceed',
    );
    expect(formTwo.html.querySelector('h1')?.text).toBe('Account Impersonation');
    const two = await rp.redeem(
      (await b.submit(formTwo, {}, '_eventId_proceed')).headers.get('location')!,
      second,
    );
    expect(two.claims()!.sub).toBe('alice');
  });

  it('keeps one oidc-provider session per browser however many authorizations it resumes', async () => {
    const before = countSessions();
    const b = await signedIn('alice');
    const tabs = await openTabs(b, 3);
    for (const [i, tab] of tabs.entries())
      await finish(b, tab, await answer(b, tab, i === 1 ? 'bob' : undefined));
    expect(countSessions() - before).toBe(1);
  });
});

/** Rows of oidc-provider's Session model in the IdP's database (a second reader, WAL mode). */
function countSessions(): number {
  const db = new Database(t.idp.config.properties.storagePath, { readonly: true });
  try {
    return (
      db.prepare("SELECT count(*) AS n FROM oidc_models WHERE model = 'Session'").get() as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}
