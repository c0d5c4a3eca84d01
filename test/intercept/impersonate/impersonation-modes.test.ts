/**
 * Relying-party impersonation modes (issue 10 item 2) and a reason required by the general policy
 * (item 4), end to end with a real IdP on loopback, node-saml as the SP and openid-client as the RP.
 *
 * required (a staging SP and a staging client): the form has no "Continue normally"; a forged one,
 * a user the general policy denies, the tester's own name and a passive request (IsPassive,
 * prompt=none) never release the real user. notAllowed: the form is never shown there, even to a
 * tester who may impersonate, and the RP receives the tester. A general-policy row
 * `p, alice, *, <SP>, require-reason, allow` makes the reason required for alice at that SP only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import {
  audits,
  buttons,
  details,
  isImpersonateForm,
  oidcReceived,
  oidcSignIn,
  previewTable,
  samlSignIn,
} from '../../support/impersonate-pages.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { callbackParams, TestRp } from '../../support/test-rp.js';
import { hasSamlResponse, responseXml, TestSp } from '../../support/test-sp.js';

const STOP = 'http://127.0.0.1:9';
const SP = 'https://sp.demo.example.org/shibboleth';
const STAGING_SP = 'https://staging.example.org/shibboleth';
const CLOSED_SP = 'https://closed.example.org/shibboleth';
const SECRET = 'a-client-secret-of-some-length-42';
const REQUIRE_REASON = `p, alice, *, ${SP}, require-reason, allow`;

const samlSp = (entityID: string, name: string, mode: string) =>
  `  - entityID: "${entityID}"\n    assertionConsumerServiceURL: "${STOP}/${name}/acs"\n` +
  `    postAuthenticationFlows: [impersonate]\n    impersonation: { mode: ${mode} }\n`;
const oidcClient = (name: string, mode: string) =>
  `\n  - clientId: ${name}-rp\n    clientSecret: ${SECRET}\n` +
  `    redirectUris: ["${STOP}/${name}/callback"]\n` +
  `    postAuthenticationFlows: [impersonate]\n    impersonation: { mode: ${mode} }\n`;
const ALL = `"${STAGING_SP}", "${CLOSED_SP}", staging-rp, closed-rp`;

let t: TestIdp;
let sp: TestSp;
let stagingSp: TestSp;
let closedSp: TestSp;
let rp: TestRp;
let stagingRp: TestRp;
let closedRp: TestRp;

beforeAll(async () => {
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': STOP },
    conf: {
      'relying-party.yaml': (old) =>
        old.replace(
          '\noidcClients:\n',
          () =>
            samlSp(STAGING_SP, 'staging', 'required') +
            samlSp(CLOSED_SP, 'closed', 'notAllowed') +
            '\noidcClients:\n',
        ) +
        oidcClient('staging', 'required') +
        oidcClient('closed', 'notAllowed'),
      // alice may impersonate at all of them (were the form shown); they get the demo attributes.
      'demo-users.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', `"%{demo.oidc.clientId}", ${ALL}]`),
      'attribute-filter.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', `"%{demo.oidc.clientId}", ${ALL}]`),
      'access-control/general-impersonation.policy.csv': (old) =>
        old.replace('g, erin, role:helpdesk', `${REQUIRE_REASON}\n\ng, erin, role:helpdesk`),
    },
  });
  sp = await TestSp.create(t.baseURL);
  stagingSp = await TestSp.create(t.baseURL, {
    entityID: STAGING_SP,
    acsURL: `${STOP}/staging/acs`,
  });
  closedSp = await TestSp.create(t.baseURL, { entityID: CLOSED_SP, acsURL: `${STOP}/closed/acs` });
  rp = await TestRp.create(
    t.baseURL,
    'demo-rp',
    'demo-rp-secret-for-the-demo-only',
    `${STOP}/callback`,
  );
  stagingRp = await TestRp.create(t.baseURL, 'staging-rp', SECRET, `${STOP}/staging/callback`);
  closedRp = await TestRp.create(t.baseURL, 'closed-rp', SECRET, `${STOP}/closed/callback`);
});
afterAll(async () => t?.close());

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push(`${STOP}/`);
  return b;
}

/** The records since `n` at relying party `rpId`. */
const recordsAt = (n: number, rpId: string) =>
  audits(t)
    .slice(n)
    .filter((r) => r.SP === rpId);

/** The ImpersonationRequired page: at the IdP, 403, audited, nothing for the relying party. */
function expectRequiredPage(page: Page, user: string, rpId: string): void {
  expect(page.status).toBe(403);
  expect(page.headers.get('location')).toBeNull();
  expect(hasSamlResponse(page)).toBe(false);
  expect(page.html.querySelector('dd.event code')?.text).toBe('ImpersonationRequired');
  expect(page.html.querySelector('dd.signed-in')?.text).toBe(user);
  expect(page.body).not.toContain('Continue normally');
  expect(audits(t).at(-1)).toMatchObject({
    act: 'refuse',
    e: 'ImpersonationRequired',
    SP: rpId,
    u: user,
    uu: '',
  });
}

/** The form again, the own name refused (audited), at a relying party that requires impersonation. */
function expectOwnNameRefused(page: Page, user: string, rpId: string): void {
  expect(page.status).toBe(200);
  expect(isImpersonateForm(page)).toBe(true);
  expect(page.html.querySelector('#impersonate-error')).not.toBeNull();
  expect(page.html.querySelector('#impersonation')?.getAttribute('aria-invalid')).toBe('true');
  expect(audits(t).at(-1)).toMatchObject({
    act: 'refuse',
    e: 'InvalidImpersonationName',
    SP: rpId,
    u: user,
    det: 'problem=own-name',
  });
}

const noRelease = (n: number, rpId: string) =>
  expect(recordsAt(n, rpId).filter((r) => r.act === 'release')).toEqual([]);

describe('mode required at a SAML SP', () => {
  it('offers no "Continue normally"; a forged one ends ImpersonationRequired, never the real user', async () => {
    const b = new Browser();
    const n = audits(t).length;
    const form = await samlSignIn(b, stagingSp, 'alice');
    expect(isImpersonateForm(form)).toBe(true);
    expect(buttons(form)).toEqual(['_eventId_impersonate']);
    expectRequiredPage(await b.submit(form, {}, '_eventId_proceed'), 'alice', STAGING_SP);
    noRelease(n, STAGING_SP);
  });

  it('shows the form again for the own name; another account is released', async () => {
    const b = new Browser();
    const form = await samlSignIn(b, stagingSp, 'alice');
    const own = await b.submit(form, { principal: ' Alice ' }, '_eventId_impersonate');
    expectOwnNameRefused(own, 'alice', STAGING_SP);
    expect(buttons(own)).toEqual(['_eventId_impersonate']);
    const n = audits(t).length;
    const profile = await stagingSp.receive(
      await b.submit(own, { principal: 'bob' }, '_eventId_impersonate'),
    );
    expect(profile.nameID).toBe('bob');
    expect(recordsAt(n, STAGING_SP).at(-1)).toMatchObject({
      act: 'release',
      u: 'bob',
      uu: 'alice',
    });
  });

  it('ends ImpersonationRequired for a user the general policy denies (dave)', async () => {
    const b = new Browser();
    const n = audits(t).length;
    const page = await samlSignIn(b, stagingSp, 'dave');
    expectRequiredPage(page, 'dave', STAGING_SP);
    expect(recordsAt(n, STAGING_SP).map((r) => r.act)).not.toContain('offer');
    noRelease(n, STAGING_SP);
  });

  it('previews without "Continue normally"; a forged one from the preview ends ImpersonationRequired', async () => {
    const b = new Browser();
    const n = audits(t).length;
    const form = await samlSignIn(b, stagingSp, 'alice');
    const preview = await b.submit(
      form,
      { principal: 'carol', level: 'identify' },
      '_eventId_impersonate',
    );
    expect(previewTable(preview).subject.value).toBe('carol');
    expect(buttons(preview)).toEqual(['_eventId_back']);
    expectRequiredPage(await b.submit(preview, {}, '_eventId_proceed'), 'alice', STAGING_SP);
    noRelease(n, STAGING_SP);
  });

  it('never releases the real user to a passive request (IsPassive)', async () => {
    const passiveSp = await TestSp.create(t.baseURL, {
      entityID: STAGING_SP,
      acsURL: `${STOP}/staging/acs`,
      passive: true,
    });
    /** `user` holds an IdP session (signed in at the demo SP as themself), then asks passively. */
    const passively = async (user: string) => {
      const b = new Browser();
      const first = await samlSignIn(b, sp, user);
      const self = hasSamlResponse(first) ? first : await b.submit(first, {}, '_eventId_proceed');
      expect((await sp.receive(self)).nameID).toBe(user);
      return b.get(await passiveSp.loginURL());
    };
    // alice would be shown the form: NoPassive to the SP.
    let n = audits(t).length;
    const page = await passively('alice');
    expect(responseXml(page)).toContain('urn:oasis:names:tc:SAML:2.0:status:NoPassive');
    expect((await passiveSp.validate(page)).profile).toBeNull();
    expect(recordsAt(n, STAGING_SP).at(-1)).toMatchObject({ act: 'refuse', e: 'NoPassive' });
    noRelease(n, STAGING_SP);
    // dave may not impersonate: the ImpersonationRequired page, as for an active request.
    n = audits(t).length;
    expectRequiredPage(await passively('dave'), 'dave', STAGING_SP);
    noRelease(n, STAGING_SP);
  });
});

describe('mode required at an OIDC client', () => {
  it('offers no "Continue normally"; a forged one ends ImpersonationRequired with no code', async () => {
    const b = browser();
    const n = audits(t).length;
    const { page: form } = await oidcSignIn(b, stagingRp, 'alice');
    expect(buttons(form)).toEqual(['_eventId_impersonate']);
    expectRequiredPage(await b.submit(form, {}, '_eventId_proceed'), 'alice', 'staging-rp');
    noRelease(n, 'staging-rp');
  });

  it('shows the form again for the own name; another account is released', async () => {
    const b = browser();
    const { page: form, pending } = await oidcSignIn(b, stagingRp, 'alice');
    const own = await b.submit(form, { principal: 'ALICE' }, '_eventId_impersonate');
    expectOwnNameRefused(own, 'alice', 'staging-rp');
    const done = await b.submit(own, { principal: 'bob' }, '_eventId_impersonate');
    const { idToken, userinfo } = await oidcReceived(stagingRp, done, pending);
    expect(idToken.sub).toBe('bob');
    expect(userinfo.email).toBe('bob@example.org');
  });

  it('ends ImpersonationRequired for a user the general policy denies (dave)', async () => {
    const b = browser();
    const n = audits(t).length;
    const { page } = await oidcSignIn(b, stagingRp, 'dave');
    expectRequiredPage(page, 'dave', 'staging-rp');
    noRelease(n, 'staging-rp');
  });

  it('never releases the real user to prompt=none: interaction_required, no code', async () => {
    for (const [user, event] of [
      ['alice', 'NoPassive'],
      ['dave', 'ImpersonationRequired'],
    ] as const) {
      const b = browser();
      const { page: first, pending: firstPending } = await oidcSignIn(b, rp, user);
      const self = first.status === 200 ? await b.submit(first, {}, '_eventId_proceed') : first;
      expect((await oidcReceived(rp, self, firstPending)).idToken.sub).toBe(user);
      const n = audits(t).length;
      const pending = await stagingRp.authorize({ prompt: 'none' });
      const page = await b.get(pending.url);
      expect(page.status).toBe(303);
      const params = callbackParams(page.headers.get('location')!);
      expect(params.get('code')).toBeNull();
      expect(params.get('error')).toBe('interaction_required');
      expect(recordsAt(n, 'staging-rp').at(-1)).toMatchObject({ act: 'refuse', e: event, u: user });
      noRelease(n, 'staging-rp');
    }
  });
});

describe('mode notAllowed', () => {
  it('never shows alice the form at the SAML SP: node-saml receives alice, no offer record', async () => {
    const b = new Browser();
    const n = audits(t).length;
    const page = await samlSignIn(b, closedSp, 'alice');
    expect((await closedSp.receive(page)).nameID).toBe('alice');
    const records = recordsAt(n, CLOSED_SP);
    expect(records.map((r) => r.act)).toEqual(['login', 'release']);
    expect(records.at(-1)).toMatchObject({ u: 'alice', uu: '', utc: '' });
    // The same session at the demo SP: alice may impersonate there.
    expect(isImpersonateForm(await b.get(await sp.loginURL()))).toBe(true);
  });

  it('never shows alice the form at the OIDC client: openid-client receives alice, no offer record', async () => {
    const b = browser();
    const n = audits(t).length;
    const { page, pending } = await oidcSignIn(b, closedRp, 'alice');
    expect(page.status).toBe(303);
    expect((await oidcReceived(closedRp, page, pending)).idToken.sub).toBe('alice');
    const records = recordsAt(n, 'closed-rp');
    expect(records.map((r) => r.act)).not.toContain('offer');
    expect(records.filter((r) => r.act === 'release').map((r) => [r.u, r.uu])).toEqual([
      ['alice', ''],
      ['alice', ''],
    ]);
  });
});

describe('a reason required by the general policy (require-reason)', () => {
  it('marks the reason required for alice at that SP, refuses none, and records the one given', async () => {
    const b = new Browser();
    const form = await samlSignIn(b, sp, 'alice');
    const reason = form.html.querySelector('textarea[name=reason]')!;
    expect(reason.getAttribute('aria-required')).toBe('true');
    expect(form.html.querySelector('label[for=impersonate-reason]')?.text).not.toContain(
      'optional',
    );
    const refused = await b.submit(form, { principal: 'carol' }, '_eventId_impersonate');
    expect(refused.status).toBe(200);
    expect(hasSamlResponse(refused)).toBe(false);
    expect(refused.html.querySelector('#impersonate-reason-error')).not.toBeNull();
    expect(audits(t).at(-1)).toMatchObject({
      act: 'refuse',
      e: 'InvalidImpersonationReason',
      SP,
      u: 'alice',
      det: 'problem=required',
    });

    const n = audits(t).length;
    // The account chosen in the list stays selected: only the reason is added.
    expect(refused.html.querySelector('option[selected]')?.text).toBe('carol');
    const post = await b.submit(refused, { reason: 'INC-7: login loop' }, '_eventId_impersonate');
    expect((await sp.receive(post)).nameID).toBe('carol');
    const release = audits(t).slice(n).at(-1)!;
    expect(release).toMatchObject({ act: 'release', SP, u: 'carol', uu: 'alice' });
    expect(details(release.det)).toEqual(['level=impersonate', 'reason=INC-7: login loop']);
  });

  it('leaves the reason optional for alice elsewhere and for others at that SP', async () => {
    const { page: oidcForm } = await oidcSignIn(browser(), rp, 'alice');
    const erinForm = await samlSignIn(new Browser(), sp, 'erin');
    for (const form of [oidcForm, erinForm]) {
      expect(isImpersonateForm(form)).toBe(true);
      const reason = form.html.querySelector('textarea[name=reason]')!;
      expect(reason.getAttribute('aria-required')).toBeUndefined();
      expect(form.html.querySelector('label[for=impersonate-reason]')?.text).toContain('optional');
    }
    const b = new Browser();
    const post = await b.submit(
      await samlSignIn(b, sp, 'erin'),
      { principal: 'bob' },
      '_eventId_impersonate',
    );
    expect((await sp.receive(post)).nameID).toBe('bob');
  });
});
