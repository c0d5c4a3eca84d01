/**
 * A protected account at level identify (issue 10 item 3), end to end with a real IdP on loopback,
 * node-saml as the SP and openid-client as the RP. The policies here allow erin to act as admin
 * (the shipped deny row for group:protected is gone; erin holds admin's entitlements, so the
 * escalation guard passes): only the directory's protected flag stands in the way.
 *
 * With idp.impersonate.identify.protectedAccounts=true the preview of admin works, while
 * impersonate and delegate still end ProtectedImpersonationTarget; with the property false (the
 * default) identify is refused too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import {
  audits,
  details,
  isImpersonateForm,
  levelsOffered,
  oidcReceived,
  oidcSignIn,
  previewTable,
  samlSignIn,
} from '../../support/impersonate-pages.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp } from '../../support/test-rp.js';
import { attribute, hasSamlResponse, TestSp } from '../../support/test-sp.js';

const STOP = 'http://127.0.0.1:9';
const SP = 'https://sp.demo.example.org/shibboleth';
const DENY_PROTECTED = 'p, *, group:protected, *, impersonate, deny\n';
const HELPDESK_AT_DEMO_RP = 'p, role:helpdesk, *, demo-rp, impersonate, allow';
const ADMIN = 'urn:mace:example.org:entitlement:idp-admin';
const AUDITOR = 'urn:mace:example.org:entitlement:idp-auditor';
const TRUSTED = 'impersonation: { maxLevel: delegate, trustedForDelegation: true }';

const helpdeskAtDemoRp = (old: string) =>
  old.replace('g, erin, role:helpdesk', `${HELPDESK_AT_DEMO_RP}\n\ng, erin, role:helpdesk`);

function startIdp(identifyProtected: boolean): Promise<TestIdp> {
  return startTestIdp({
    properties: {
      'demo.oidc.baseURL': STOP,
      'idp.impersonate.identify.protectedAccounts': String(identifyProtected),
    },
    conf: {
      // The demo SP is trusted for delegation: every level is offered there.
      'relying-party.yaml': (old) =>
        old.replace(
          'nameIDFormat: unspecified\n    postAuthenticationFlows: [impersonate]\n',
          () =>
            `nameIDFormat: unspecified\n    postAuthenticationFlows: [impersonate]\n    ${TRUSTED}\n`,
        ),
      'access-control/general-impersonation.policy.csv': helpdeskAtDemoRp,
      'access-control/specific-impersonation.policy.csv': (old) => {
        expect(old).toContain(DENY_PROTECTED);
        return helpdeskAtDemoRp(old.replace(DENY_PROTECTED, ''));
      },
      // erin holds what admin holds: the escalation guard lets her act as admin.
      'demo-users.yaml': (old) =>
        old.replace(
          '      displayName: Erin Helpdesk\n',
          `      displayName: Erin Helpdesk\n      entitlement: [${ADMIN}, ${AUDITOR}]\n`,
        ),
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

let previewing: Rps;
let strict: Rps;

beforeAll(async () => {
  previewing = await rpsOf(await startIdp(true));
  strict = await rpsOf(await startIdp(false));
});
afterAll(async () => {
  await previewing?.t.close();
  await strict?.t.close();
});

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push(`${STOP}/`);
  return b;
}

/** erin asks for `target` at `level` at the demo SP: the page that answers. */
async function overSaml({ sp }: Rps, level: string, target = 'admin'): Promise<Page> {
  const b = new Browser();
  const form = await samlSignIn(b, sp, 'erin');
  expect(levelsOffered(form)).toEqual(['identify', 'impersonate', 'delegate']);
  return b.submit(form, { principal: target, level }, '_eventId_impersonate');
}

/** erin asks for admin at `level` at the demo OIDC client: the page and the pending request. */
async function overOidc({ rp }: Rps, level: string) {
  const b = browser();
  const { page: form, pending } = await oidcSignIn(b, rp, 'erin');
  expect(isImpersonateForm(form)).toBe(true);
  const page = await b.submit(form, { principal: 'admin', level }, '_eventId_impersonate');
  return { page, pending };
}

/** The Protected Account page: nothing for the RP, audited with the level asked for. */
function expectProtected(t: TestIdp, page: Page, rpId: string, level: string): void {
  expect(page.status).toBe(403);
  expect(page.headers.get('location')).toBeNull();
  expect(hasSamlResponse(page)).toBe(false);
  expect(page.html.querySelector('h1')?.text).toBe('Protected Account');
  const record = audits(t).at(-1)!;
  expect(record).toMatchObject({
    act: 'refuse',
    e: 'ProtectedImpersonationTarget',
    SP: rpId,
    u: 'erin',
    uu: '',
    utc: 'admin',
    attr: '',
  });
  expect(details(record.det)).toContain(`level=${level}`);
}

describe('with idp.impersonate.identify.protectedAccounts=true', () => {
  it('previews the protected account at the SAML SP, releasing nothing', async () => {
    const { t } = previewing;
    const n = audits(t).length;
    const page = await overSaml(previewing, 'identify');
    expect(page.status).toBe(200);
    expect(hasSamlResponse(page)).toBe(false);
    const preview = previewTable(page);
    expect(preview.subject.value).toBe('admin');
    expect(
      Object.values(preview.items).find((i) => i.id === 'eduPersonEntitlement')?.values,
    ).toEqual([ADMIN, AUDITOR]);
    const records = audits(t).slice(n);
    expect(records.at(-1)).toMatchObject({ act: 'preview', SP, u: 'erin', utc: 'admin' });
    expect(details(records.at(-1)!.det)).toEqual(['level=identify']);
    expect(records.map((r) => r.act)).not.toContain('release');
  });

  it('still refuses impersonate and delegate of it at the SAML SP', async () => {
    for (const level of ['impersonate', 'delegate'])
      expectProtected(previewing.t, await overSaml(previewing, level), SP, level);
  });

  it('delegates an account that is not protected, at the same SP', async () => {
    const profile = await previewing.sp.receive(await overSaml(previewing, 'delegate', 'bob'));
    expect(profile.nameID).toBe('bob');
    expect(attribute(profile, 'urn:x-idp-impersonate:actor')).toEqual(['erin']);
  });

  it('previews it at the OIDC client, still refuses impersonate there', async () => {
    const { t, rp } = previewing;
    const b = browser();
    const { page: form, pending } = await oidcSignIn(b, rp, 'erin');
    const preview = await b.submit(
      form,
      { principal: 'admin', level: 'identify' },
      '_eventId_impersonate',
    );
    expect(previewTable(preview).subject).toEqual({ name: 'sub', value: 'admin' });
    expect(audits(t).at(-1)).toMatchObject({ act: 'preview', SP: 'demo-rp', utc: 'admin' });
    // "Continue normally" from the preview: the client receives erin.
    const done = await b.submit(preview, {}, '_eventId_proceed');
    expect((await oidcReceived(rp, done, pending)).idToken.sub).toBe('erin');

    expectProtected(t, (await overOidc(previewing, 'impersonate')).page, 'demo-rp', 'impersonate');
  });
});

describe('with idp.impersonate.identify.protectedAccounts=false', () => {
  it('refuses identify of the protected account too, over SAML and OIDC', async () => {
    const { t } = strict;
    const n = audits(t).length;
    for (const level of ['identify', 'impersonate', 'delegate'])
      expectProtected(t, await overSaml(strict, level), SP, level);
    expectProtected(t, (await overOidc(strict, 'identify')).page, 'demo-rp', 'identify');
    expect(
      audits(t)
        .slice(n)
        .map((r) => r.act),
    ).not.toContain('preview');
  });
});
