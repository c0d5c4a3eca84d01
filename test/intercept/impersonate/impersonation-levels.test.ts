/**
 * Impersonation level identify (issue 10 item 1) and the relying party's own cap (item 2), end to
 * end with a real IdP on loopback, node-saml as the SP and openid-client as the RP.
 *
 * identify: the preview page lists exactly what the RP would receive — the same NameID / `sub` and
 * the same attribute / claim names and values node-saml and openid-client receive when the tester
 * then impersonates the account — is audited act=preview, and releases nothing. "Back" returns to
 * the form with the name kept; "Continue normally" releases the tester.
 *
 * The RP's cap: an SP whose metadata declares urn:x-idp-impersonate:max-impersonation-level=identify
 * and a client whose metadata has impersonation_max_level=identify are offered identify only; a
 * posted impersonate (or delegate) is refused.
 */
import type { Profile } from '@node-saml/node-saml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import {
  audits,
  buttons,
  details,
  isImpersonateForm,
  levelsOffered,
  oidcReceived,
  oidcSignIn,
  previewTable,
  samlSignIn,
  type PreviewTable,
} from '../../support/impersonate-pages.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp } from '../../support/test-rp.js';
import { hasSamlResponse, TestSp } from '../../support/test-sp.js';

const STOP = 'http://127.0.0.1:9';
const SP = 'https://sp.demo.example.org/shibboleth';
const CAPPED_SP = 'https://capped.example.org/shibboleth';
const CAPPED_ACS = `${STOP}/capped/acs`;
const CAPPED_SECRET = 'capped-client-secret-0123456789';
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

const CAPPED_SP_METADATA = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${CAPPED_SP}">
  <md:Extensions>
    <mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
      <saml:Attribute Name="urn:x-idp-impersonate:max-impersonation-level"><saml:AttributeValue>identify</saml:AttributeValue></saml:Attribute>
    </mdattr:EntityAttributes>
  </md:Extensions>
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${CAPPED_ACS}" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;

const CAPPED_CLIENT_METADATA = JSON.stringify({
  client_name: 'Capped Client',
  redirect_uris: [`${STOP}/capped/callback`],
  impersonation_max_level: 'identify',
});

let t: TestIdp;
let sp: TestSp;
let cappedSp: TestSp;
let rp: TestRp;
let cappedRp: TestRp;

beforeAll(async () => {
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': STOP },
    conf: {
      // The administrator allows the default cap (impersonate); the RPs' own metadata says identify.
      'relying-party.yaml': (old) =>
        old.replace(
          '\noidcClients:\n',
          () =>
            `  - entityID: "${CAPPED_SP}"\n    assertionConsumerServiceURL: "${CAPPED_ACS}"\n` +
            '    metadataFile: capped-sp.xml\n    postAuthenticationFlows: [impersonate]\n' +
            '\noidcClients:\n',
        ) +
        `\n  - clientId: capped-rp\n    clientSecret: ${CAPPED_SECRET}\n` +
        `    redirectUris: ["${STOP}/capped/callback"]\n    metadataFile: capped-rp.json\n` +
        '    postAuthenticationFlows: [impersonate]\n',
      'capped-sp.xml': CAPPED_SP_METADATA,
      'capped-rp.json': CAPPED_CLIENT_METADATA,
      // alice may impersonate at the capped client too; it receives what the demo client receives.
      'demo-users.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', '"%{demo.oidc.clientId}", capped-rp]'),
      'attribute-filter.yaml': (old) =>
        old.replace(
          '"%{demo.oidc.clientId}"]',
          `"%{demo.oidc.clientId}", "${CAPPED_SP}", capped-rp]`,
        ),
    },
  });
  sp = await TestSp.create(t.baseURL);
  cappedSp = await TestSp.create(t.baseURL, { entityID: CAPPED_SP, acsURL: CAPPED_ACS });
  rp = await TestRp.create(
    t.baseURL,
    'demo-rp',
    'demo-rp-secret-for-the-demo-only',
    `${STOP}/callback`,
  );
  cappedRp = await TestRp.create(t.baseURL, 'capped-rp', CAPPED_SECRET, `${STOP}/capped/callback`);
});
afterAll(async () => t?.close());

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push(`${STOP}/`);
  return b;
}

/** What node-saml received: attribute name → values (node-saml gives one value as a string). */
function samlAttributes(profile: Profile): Record<string, string[]> {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, v]) => [name, (Array.isArray(v) ? v : [v]).map(String)]),
  );
}

/** What openid-client received at userinfo, but `sub`: claim → values. */
function claimValues(claims: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(claims)
      .filter(([name]) => name !== 'sub')
      .map(([name, v]) => [name, (Array.isArray(v) ? v : [v]).map(String)]),
  );
}

function previewValues(preview: PreviewTable): Record<string, string[]> {
  return Object.fromEntries(Object.entries(preview.items).map(([n, i]) => [n, i.values]));
}

function previewIds(preview: PreviewTable): string[] {
  return Object.values(preview.items).map((i) => i.id);
}

/** The preview page: shown at the IdP, nothing for the RP. */
function expectPreviewPage(page: Page, target: string): PreviewTable {
  expect(page.status).toBe(200);
  expect(page.headers.get('location')).toBeNull();
  expect(hasSamlResponse(page)).toBe(false);
  expect(page.html.querySelector('h1')?.text).toBe('Impersonation Preview');
  expect(page.body).toContain(`<strong>${target}</strong>`);
  return previewTable(page);
}

/** The records since `n`: login, offer, choose and preview of `target` at `rp` — no release. */
function expectPreviewAudited(n: number, rpId: string, target: string, preview: PreviewTable) {
  const records = audits(t).slice(n);
  expect(records.map((r) => r.act)).toEqual(['login', 'offer', 'choose', 'preview']);
  const record = records[3]!;
  expect(record).toMatchObject({ SP: rpId, u: 'alice', uu: '', ut: target, utc: target, e: '' });
  expect(record.attr.split(',')).toEqual(previewIds(preview));
  expect(details(record.det)).toEqual(['level=identify']);
  expect(records.some((r) => r.act === 'release')).toBe(false);
}

/** After "Back": the form again, the previewed name selected, no second offer record. */
function expectBackOnForm(page: Page, n: number, target: string) {
  expect(isImpersonateForm(page)).toBe(true);
  expect(page.html.querySelector('select[name=principal] option[selected]')?.text).toBe(target);
  expect(audits(t).length).toBe(n);
}

describe('identify at a SAML SP', () => {
  it('previews exactly what node-saml then receives when the tester impersonates the account', async () => {
    const b = new Browser();
    const n = audits(t).length;
    const form = await samlSignIn(b, sp, 'alice');
    expect(levelsOffered(form)).toEqual(['identify', 'impersonate']);
    const page = await b.submit(
      form,
      { principal: 'carol', level: 'identify' },
      '_eventId_impersonate',
    );
    const preview = expectPreviewPage(page, 'carol');
    expect(preview.subject).toEqual({ name: `NameID (${UNSPECIFIED})`, value: 'carol' });
    expect(buttons(page)).toEqual(['_eventId_back', '_eventId_proceed']);
    expectPreviewAudited(n, SP, 'carol', preview);

    const back = await b.submit(page, {}, '_eventId_back');
    expectBackOnForm(back, n + 4, 'carol');

    // The kept name is the one selected, so the browser posts it with the form.
    const post = await b.submit(back, { level: 'impersonate' }, '_eventId_impersonate');
    const profile = await sp.receive(post);
    expect(profile.nameID).toBe(preview.subject.value);
    expect(profile.nameIDFormat).toBe(UNSPECIFIED);
    expect(samlAttributes(profile)).toEqual(previewValues(preview));
    expect(Object.keys(preview.items).length).toBeGreaterThan(3);

    const [choose, release] = audits(t).slice(n + 4);
    expect(choose).toMatchObject({ act: 'choose', u: 'alice', utc: 'carol' });
    expect(release).toMatchObject({ act: 'release', SP, u: 'carol', uu: 'alice', n: 'carol' });
    expect(release!.attr.split(',').sort()).toEqual(previewIds(preview).sort());
    expect(details(release!.det)).toEqual(['level=impersonate']);
  });

  it('"Continue normally" from the preview releases the tester themself', async () => {
    const b = new Browser();
    const form = await samlSignIn(b, sp, 'alice');
    const page = await b.submit(
      form,
      { principal: 'bob', level: 'identify' },
      '_eventId_impersonate',
    );
    expect(previewTable(page).subject.value).toBe('bob');
    const n = audits(t).length;
    const profile = await sp.receive(await b.submit(page, {}, '_eventId_proceed'));
    expect(profile.nameID).toBe('alice');
    const [choose, release] = audits(t).slice(n);
    expect(choose).toMatchObject({ act: 'choose', u: 'alice', ut: '', utc: '' });
    expect(details(choose!.det)).toEqual(['choice=self']);
    // What the preview asked is no longer this request's: the release is alice's own.
    expect(release).toMatchObject({ act: 'release', u: 'alice', uu: '', ut: '', utc: '' });
    expect(details(release!.det)).toEqual([]);
  });
});

describe('identify at an OIDC client', () => {
  it('previews exactly the sub and claims openid-client then receives when the tester impersonates', async () => {
    const b = browser();
    const n = audits(t).length;
    const { page: form, pending } = await oidcSignIn(b, rp, 'alice');
    expect(levelsOffered(form)).toEqual(['identify', 'impersonate']);
    const page = await b.submit(
      form,
      { principal: 'carol', level: 'identify' },
      '_eventId_impersonate',
    );
    const preview = expectPreviewPage(page, 'carol');
    expect(preview.subject).toEqual({ name: 'sub', value: 'carol' });
    expectPreviewAudited(n, 'demo-rp', 'carol', preview);

    const back = await b.submit(page, {}, '_eventId_back');
    expectBackOnForm(back, n + 4, 'carol');
    const done = await b.submit(back, { level: 'impersonate' }, '_eventId_impersonate');
    const { idToken, userinfo } = await oidcReceived(rp, done, pending);
    expect(idToken.sub).toBe(preview.subject.value);
    expect(userinfo.sub).toBe(preview.subject.value);
    expect(claimValues(userinfo)).toEqual(previewValues(preview));
    expect(Object.keys(preview.items).length).toBeGreaterThan(2);

    const releases = audits(t)
      .slice(n + 4)
      .filter((r) => r.act === 'release');
    expect(releases.length).toBeGreaterThan(0);
    for (const r of releases) {
      expect(r).toMatchObject({ SP: 'demo-rp', u: 'carol', uu: 'alice' });
      expect(details(r.det)).toContain('level=impersonate');
    }
  });

  it('previews only the claims of the scopes asked for', async () => {
    const b = browser();
    const { page: form } = await oidcSignIn(b, rp, 'alice', { scope: 'openid email' });
    const page = await b.submit(
      form,
      { principal: 'bob', level: 'identify' },
      '_eventId_impersonate',
    );
    const preview = previewTable(page);
    expect(preview.subject.value).toBe('bob');
    expect(Object.keys(preview.items)).toEqual(['email']);
    expect(preview.items.email!.values).toEqual(['bob@example.org']);
  });

  it('"Continue normally" from the preview gives the client the tester themself', async () => {
    const b = browser();
    const { page: form, pending } = await oidcSignIn(b, rp, 'alice');
    const page = await b.submit(
      form,
      { principal: 'bob', level: 'identify' },
      '_eventId_impersonate',
    );
    expect(previewTable(page).subject.value).toBe('bob');
    const n = audits(t).length;
    const { idToken } = await oidcReceived(
      rp,
      await b.submit(page, {}, '_eventId_proceed'),
      pending,
    );
    expect(idToken.sub).toBe('alice');
    for (const r of audits(t)
      .slice(n)
      .filter((r) => r.act === 'release')) {
      expect(r).toMatchObject({ u: 'alice', uu: '', utc: '' });
      expect(details(r.det)).not.toContain('level=identify');
    }
  });
});

describe("the relying party's own cap: identify", () => {
  async function expectOnlyIdentify(b: Browser, form: Page, rpId: string, user: string) {
    expect(levelsOffered(form)).toEqual(['identify']);
    expect(form.html.querySelector('input[name=level][checked]')?.getAttribute('value')).toBe(
      'identify',
    );
    let page = form;
    for (const level of ['impersonate', 'delegate']) {
      page = await b.submit(page, { principal: 'bob', level }, '_eventId_impersonate');
      expect(page.status).toBe(200);
      expect(isImpersonateForm(page)).toBe(true);
      expect(page.headers.get('location')).toBeNull();
      expect(hasSamlResponse(page)).toBe(false);
      expect(page.html.querySelector('#impersonate-level-error')).not.toBeNull();
      expect(audits(t).at(-1)).toMatchObject({
        act: 'refuse',
        e: 'InvalidImpersonationLevel',
        SP: rpId,
        u: user,
        det: 'problem=above-cap',
      });
    }
    // No level posted: the RP's cap, identify — a preview, never a release.
    const { action, fields } = b.form(page);
    const posted: Record<string, string> = { ...fields, principal: 'bob' };
    delete posted.level;
    const preview = await b.post(action, { ...posted, _eventId_impersonate: 'Impersonate' });
    expect(previewTable(preview).subject.value).toBe('bob');
    expect(audits(t).at(-1)).toMatchObject({ act: 'preview', SP: rpId, u: user, utc: 'bob' });
    return preview;
  }

  it('at a SAML SP whose metadata declares it, offers identify only and refuses impersonate', async () => {
    const b = new Browser();
    const n = audits(t).length;
    const form = await samlSignIn(b, cappedSp, 'erin');
    const preview = await expectOnlyIdentify(b, form, CAPPED_SP, 'erin');
    expect(
      audits(t)
        .slice(n)
        .some((r) => r.act === 'release'),
    ).toBe(false);
    // The SP receives the tester only.
    expect((await cappedSp.receive(await b.submit(preview, {}, '_eventId_proceed'))).nameID).toBe(
      'erin',
    );
  });

  it('at an OIDC client whose metadata declares it, offers identify only and refuses impersonate', async () => {
    const b = browser();
    const n = audits(t).length;
    const { page: form, pending } = await oidcSignIn(b, cappedRp, 'alice');
    const preview = await expectOnlyIdentify(b, form, 'capped-rp', 'alice');
    expect(
      audits(t)
        .slice(n)
        .some((r) => r.act === 'release'),
    ).toBe(false);
    const { idToken } = await oidcReceived(
      cappedRp,
      await b.submit(preview, {}, '_eventId_proceed'),
      pending,
    );
    expect(idToken.sub).toBe('alice');
  });
});
