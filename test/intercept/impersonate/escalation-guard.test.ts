/**
 * The escalation guard (issue 10 item 3), end to end through both protocols with a real IdP on
 * loopback, node-saml as the SP and openid-client as the RP: the shipped specific-policy row
 * `p, *, beyond:eduPersonEntitlement, *, impersonate, deny` refuses erin (help desk, no
 * entitlements) carol, who holds the library entitlement — at every level, identify included —
 * while alice, who holds it too, may act as carol. `policy explain` (the CLI, as a child process,
 * on the same conf) names the row by file:line. With only that row removed from a copy of the
 * policy, erin may act as carol: the row is the guard.
 *
 * Both IdPs let the help desk impersonate at the demo OIDC client too (a row per policy), so erin's
 * only obstacle there is the guard.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPolicy } from '../../cli/run-policy.js';
import { Browser, type Page } from '../../support/browser.js';
import {
  audits,
  details,
  isImpersonateForm,
  oidcReceived,
  oidcSignIn,
  samlSignIn,
} from '../../support/impersonate-pages.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp } from '../../support/test-rp.js';
import { attribute, hasSamlResponse, OID, TestSp } from '../../support/test-sp.js';

const STOP = 'http://127.0.0.1:9';
const SP = 'https://sp.demo.example.org/shibboleth';
const SPECIFIC = 'access-control/specific-impersonation.policy.csv';
const GUARD_ROW = 'p, *, beyond:eduPersonEntitlement, *, impersonate, deny';
const LIBRARY = 'urn:mace:example.org:entitlement:library';
const HELPDESK_AT_DEMO_RP = 'p, role:helpdesk, *, demo-rp, impersonate, allow';

const helpdeskAtDemoRp = (old: string) =>
  old.replace('g, erin, role:helpdesk', `${HELPDESK_AT_DEMO_RP}\n\ng, erin, role:helpdesk`);

/** A test IdP with the help desk allowed at the demo client; `specific` edits the specific policy. */
function startIdp(specific: (old: string) => string = (old) => old): Promise<TestIdp> {
  return startTestIdp({
    properties: { 'demo.oidc.baseURL': STOP },
    conf: {
      'access-control/general-impersonation.policy.csv': helpdeskAtDemoRp,
      [SPECIFIC]: (old) => specific(helpdeskAtDemoRp(old)),
    },
  });
}

interface Rps {
  readonly t: TestIdp;
  readonly sp: TestSp;
  readonly rp: TestRp;
}

async function rpsOf(t: TestIdp): Promise<Rps> {
  return {
    t,
    sp: await TestSp.create(t.baseURL),
    rp: await TestRp.create(
      t.baseURL,
      'demo-rp',
      'demo-rp-secret-for-the-demo-only',
      `${STOP}/callback`,
    ),
  };
}

let guarded: Rps;
let unguarded: Rps;

beforeAll(async () => {
  guarded = await rpsOf(await startIdp());
  unguarded = await rpsOf(
    await startIdp((old) => {
      expect(old).toContain(`${GUARD_ROW}\n`);
      return old.replace(`${GUARD_ROW}\n`, '');
    }),
  );
});
afterAll(async () => {
  await guarded?.t.close();
  await unguarded?.t.close();
});

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push(`${STOP}/`);
  return b;
}

/** `user` asks for `target` at `level` at the demo SP: the page that answers. */
async function overSaml({ sp }: Rps, user: string, target: string, level = 'impersonate') {
  const b = new Browser();
  const form = await samlSignIn(b, sp, user);
  expect(isImpersonateForm(form)).toBe(true);
  return b.submit(form, { principal: target, level }, '_eventId_impersonate');
}

/** `user` asks for `target` at `level` at the demo OIDC client: the page and the pending request. */
async function overOidc({ rp }: Rps, user: string, target: string, level = 'impersonate') {
  const b = browser();
  const { page: form, pending } = await oidcSignIn(b, rp, user);
  expect(isImpersonateForm(form)).toBe(true);
  const page = await b.submit(form, { principal: target, level }, '_eventId_impersonate');
  return { page, pending };
}

/** The Access Denied page for ImpersonationViolation: nothing for the RP, audited. */
function expectViolation(t: TestIdp, page: Page, rpId: string, level: string): void {
  expect(page.status).toBe(403);
  expect(page.headers.get('location')).toBeNull();
  expect(hasSamlResponse(page)).toBe(false);
  expect(page.html.querySelector('dd.event code')?.text).toBe('ImpersonationViolation');
  expect(page.html.querySelector('.requested')?.text).toBe('carol');
  const record = audits(t).at(-1)!;
  expect(record).toMatchObject({
    act: 'refuse',
    e: 'ImpersonationViolation',
    SP: rpId,
    u: 'erin',
    uu: '',
    utc: 'carol',
    attr: '',
  });
  expect(details(record.det)).toContain(`level=${level}`);
}

/** The 1-based line of the guard row in the IdP's copy of the specific policy. */
function guardLine(t: TestIdp): number {
  const lines = readFileSync(path.join(t.confDir, SPECIFIC), 'utf8').split('\n');
  const at = lines.indexOf(GUARD_ROW);
  expect(at).toBeGreaterThan(-1);
  return at + 1;
}

const explain = (t: TestIdp, user: string, rpId: string) =>
  runPolicy(['explain', '--user', user, '--target', 'carol', '--rp', rpId, '--conf', t.confDir]);

describe('the escalation guard (shipped row)', () => {
  it('refuses erin carol over SAML, at impersonate and at identify', async () => {
    for (const level of ['impersonate', 'identify']) {
      const n = audits(guarded.t).length;
      expectViolation(guarded.t, await overSaml(guarded, 'erin', 'carol', level), SP, level);
      expect(
        audits(guarded.t)
          .slice(n)
          .map((r) => r.act),
      ).not.toContain('release');
    }
  });

  it('refuses erin carol over OIDC: no code for the client', async () => {
    const n = audits(guarded.t).length;
    expectViolation(
      guarded.t,
      (await overOidc(guarded, 'erin', 'carol')).page,
      'demo-rp',
      'impersonate',
    );
    expect(
      audits(guarded.t)
        .slice(n)
        .filter((r) => r.act === 'release'),
    ).toEqual([]);
  });

  it('lets erin act as bob, who holds no entitlement, through both protocols', async () => {
    expect((await guarded.sp.receive(await overSaml(guarded, 'erin', 'bob'))).nameID).toBe('bob');
    const { page, pending } = await overOidc(guarded, 'erin', 'bob');
    expect((await oidcReceived(guarded.rp, page, pending)).idToken.sub).toBe('bob');
  });

  it('lets alice, who holds the library entitlement too, act as carol through both protocols', async () => {
    const profile = await guarded.sp.receive(await overSaml(guarded, 'alice', 'carol'));
    expect(profile.nameID).toBe('carol');
    expect(attribute(profile, OID.entitlement)).toEqual([LIBRARY]);
    expect(audits(guarded.t).at(-1)).toMatchObject({ act: 'release', u: 'carol', uu: 'alice' });
    const { page, pending } = await overOidc(guarded, 'alice', 'carol');
    expect((await oidcReceived(guarded.rp, page, pending)).idToken.sub).toBe('carol');
  });

  it('`policy explain` shows the guard denying erin carol, with the row’s file:line', async () => {
    const line = guardLine(guarded.t);
    for (const rpId of [SP, 'demo-rp']) {
      const run = await explain(guarded.t, 'erin', rpId);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(
        `Escalation guard: DENIES — carol holds eduPersonEntitlement ${LIBRARY}, which erin does not (conf/${SPECIFIC}:${line})`,
      );
      expect(run.stdout).toMatch(
        /Outcome: NO — the specific policy denies: ImpersonationViolation/,
      );
    }
    const alice = await explain(guarded.t, 'alice', SP);
    expect(alice.stdout).toContain(
      'Escalation guard: passes — carol holds no value of eduPersonEntitlement that alice lacks',
    );
  });
});

describe('the same policy without the guard row', () => {
  it('lets erin act as carol over SAML and OIDC', async () => {
    const n = audits(unguarded.t).length;
    const profile = await unguarded.sp.receive(await overSaml(unguarded, 'erin', 'carol'));
    expect(profile.nameID).toBe('carol');
    expect(attribute(profile, OID.entitlement)).toEqual([LIBRARY]);
    const { page, pending } = await overOidc(unguarded, 'erin', 'carol');
    expect((await oidcReceived(unguarded.rp, page, pending)).idToken.sub).toBe('carol');
    const releases = audits(unguarded.t)
      .slice(n)
      .filter((r) => r.act === 'release');
    expect(releases.map((r) => [r.SP, r.u, r.uu])).toEqual([
      [SP, 'carol', 'erin'],
      ['demo-rp', 'carol', 'erin'],
      ['demo-rp', 'carol', 'erin'],
    ]);
  });

  it('`policy explain` finds no guard and says yes', async () => {
    const run = await explain(unguarded.t, 'erin', SP);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'Escalation guard: none — SpecificImpersonationPolicy has no beyond:ATTRIBUTE rows',
    );
    expect(run.stdout).not.toContain('DENIES');
    expect(run.stdout).toMatch(/Outcome: YES/);
  });
});
