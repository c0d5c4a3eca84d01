/**
 * Impersonation level delegate over SAML (issue 10 item 1), end to end: a real IdP on loopback
 * whose demo SP is trusted for delegation (`impersonation: {maxLevel: delegate,
 * trustedForDelegation: true}`), node-saml validating the signed responses, and the demo SP app
 * itself showing who acted. A delegated assertion carries the OASIS Delegation Restriction
 * condition naming the actor and the `actor` attribute; plain impersonation and normal SSO carry
 * neither; an SP left at the default cap refuses the level on the form.
 */
import type { Server } from 'node:http';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoSp } from '../../../src/demo/demo-sp.js';
import { Browser, type Page } from '../../support/browser.js';
import { freePort } from '../../support/free-port.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { attribute, hasSamlResponse, responseXml, TestSp } from '../../support/test-sp.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DEL = 'urn:oasis:names:tc:SAML:2.0:conditions:delegation';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
const ACTOR = 'urn:x-idp-impersonate:actor';
const SP = 'https://sp.demo.example.org/shibboleth';
/** An SP at the default impersonation settings (cap: impersonate), where erin may impersonate. */
const OTHER_SP = 'https://sp2.example.org/shibboleth';
const OTHER_ACS = 'http://127.0.0.1:9/sp2/acs';
const TRUSTED = 'impersonation: { maxLevel: delegate, trustedForDelegation: true }';

let t: TestIdp;
let sp: TestSp;
let otherSp: TestSp;
let demoSp: Server;
let demoSpURL: string;

beforeAll(async () => {
  const port = await freePort();
  demoSpURL = `http://127.0.0.1:${port}`;
  t = await startTestIdp({
    properties: { 'demo.sp.baseURL': demoSpURL },
    conf: {
      'relying-party.yaml': (old) =>
        old.replace(
          'nameIDFormat: unspecified\n    postAuthenticationFlows: [impersonate]\n',
          () =>
            `nameIDFormat: unspecified\n    postAuthenticationFlows: [impersonate]\n    ${TRUSTED}\n` +
            `  - entityID: "${OTHER_SP}"\n    assertionConsumerServiceURL: "${OTHER_ACS}"\n` +
            '    postAuthenticationFlows: [impersonate]\n',
        ),
    },
  });
  sp = await TestSp.create(t.baseURL, { acsURL: `${demoSpURL}/saml/acs` });
  otherSp = await TestSp.create(t.baseURL, { entityID: OTHER_SP, acsURL: OTHER_ACS });
  ({ server: demoSp } = await startDemoSp({
    entityID: t.idp.config.properties.demo.sp.entityID,
    baseURL: demoSpURL,
    port,
    listenAddress: '127.0.0.1',
    idpMetadataURL: `${t.baseURL}/idp/shibboleth`,
  }));
});
afterAll(async () => {
  demoSp?.close();
  await t?.close();
});

const audits = () => t.auditRecords().map(auditRecord);
const details = (det: string) => (det === '' ? [] : det.split(',').map(decodeURIComponent));

/** The impersonate form after signing in through `from` (a TestSp's login URL or the demo SP). */
async function form(b: Browser, start: string, user = 'alice'): Promise<Page> {
  const login = await b.get(start);
  return b.submit(login, { j_username: user, j_password: `demo-${user}` }, '_eventId_proceed');
}

/** The response's assertion, parsed. */
function assertionOf(page: Page): Element {
  const doc = new DOMParser().parseFromString(responseXml(page), 'text/xml');
  return doc.getElementsByTagNameNS(SAML, 'Assertion')[0]!;
}

function childElements(e: Element): Element[] {
  return Array.from(e.childNodes).filter((n): n is Element => n.nodeType === 1);
}

function expectNoDelegation(post: Page): void {
  const xml = responseXml(post);
  expect(xml).not.toContain(DEL);
  expect(xml).not.toContain('Delegat');
  expect(xml).not.toContain(ACTOR);
}

describe('impersonation level delegate over SAML', () => {
  it('puts the actor into a Delegation Restriction condition and the actor attribute, signed', async () => {
    const b = new Browser();
    const page = await form(b, await sp.loginURL());
    const levels = page.html.querySelectorAll('input[name=level]').map((i) => i.attributes.value);
    expect(levels).toEqual(['identify', 'impersonate', 'delegate']);
    const n = audits().length;
    const before = Date.now() - 1000;
    const post = await b.submit(
      page,
      { principal: 'bob', level: 'delegate' },
      '_eventId_impersonate',
    );

    // node-saml verifies both signatures and the conditions it knows, and reads the attribute.
    const profile = await sp.receive(post);
    expect(profile.nameID).toBe('bob');
    expect(attribute(profile, ACTOR)).toEqual(['alice']);

    const assertion = assertionOf(post);
    const conditions = assertion.getElementsByTagNameNS(SAML, 'Conditions')[0]!;
    const [audience, condition, ...rest] = childElements(conditions);
    expect(audience?.localName).toBe('AudienceRestriction');
    expect(rest).toEqual([]);
    expect(condition?.namespaceURI).toBe(SAML);
    expect(condition?.localName).toBe('Condition');
    expect(condition?.getAttributeNS(XSI, 'type')).toBe('del:DelegationRestrictionType');
    expect(condition?.lookupNamespaceURI('del')).toBe(DEL);
    const delegates = childElements(condition!);
    expect(delegates.map((d) => [d.namespaceURI, d.localName])).toEqual([[DEL, 'Delegate']]);
    const instant = delegates[0]!.getAttribute('DelegationInstant')!;
    expect(instant).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(instant)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(instant)).toBeLessThanOrEqual(Date.now());
    const [actor, ...others] = childElements(delegates[0]!);
    expect(others).toEqual([]);
    expect([actor?.namespaceURI, actor?.localName]).toEqual([SAML, 'NameID']);
    expect(actor?.getAttribute('Format')).toBe(UNSPECIFIED);
    expect(actor?.textContent).toBe('alice');

    const [choose, release] = audits().slice(n);
    expect(details(choose!.det)).toContain('level=delegate');
    expect(release).toMatchObject({ act: 'release', SP, u: 'bob', uu: 'alice', n: 'bob' });
    expect(details(release!.det)).toContain('level=delegate');
    expect(release!.attr.split(',')).toContain('actor');

    // The tester's "Who am I" page lists it at its level.
    const whoami = await b.get(`${t.baseURL}/idp/profile/whoami`);
    const row = whoami.html.querySelectorAll('table.impersonations tbody tr')[0]!;
    expect(row.querySelectorAll('td').map((td) => td.text)).toEqual([
      'bob',
      SP,
      'delegate',
      expect.any(String),
    ]);
  });

  it('plain impersonation and a normal sign-in carry no condition and no actor', async () => {
    const b = new Browser();
    const n = audits().length;
    const post = await b.submit(
      await form(b, await sp.loginURL()),
      { principal: 'bob', level: 'impersonate' },
      '_eventId_impersonate',
    );
    const profile = await sp.receive(post);
    expect(profile.nameID).toBe('bob');
    expect(attribute(profile, ACTOR)).toEqual([]);
    expectNoDelegation(post);
    const release = audits().slice(n).at(-1)!;
    expect(release).toMatchObject({ act: 'release', u: 'bob', uu: 'alice' });
    expect(details(release.det)).toContain('level=impersonate');
    expect(release.attr.split(',')).not.toContain('actor');

    const b2 = new Browser();
    const normal = await b2.submit(await form(b2, await sp.loginURL()), {}, '_eventId_proceed');
    expect((await sp.receive(normal)).nameID).toBe('alice');
    expectNoDelegation(normal);
    expect(audits().at(-1)!.attr.split(',')).not.toContain('actor');
  });

  it('at an SP with the default settings, refuses level=delegate with the form again', async () => {
    const b = new Browser();
    const page = await form(b, await otherSp.loginURL(), 'erin');
    const offered = page.html.querySelectorAll('input[name=level]').map((i) => i.attributes.value);
    expect(offered).not.toContain('delegate');
    const again = await b.submit(
      page,
      { principal: 'bob', level: 'delegate' },
      '_eventId_impersonate',
    );
    expect(again.status).toBe(200);
    expect(hasSamlResponse(again)).toBe(false);
    expect(again.html.querySelector('#impersonate-level-error')).not.toBeNull();
    expect(audits().at(-1)).toMatchObject({
      act: 'refuse',
      e: 'InvalidImpersonationLevel',
      SP: OTHER_SP,
      u: 'erin',
    });
  });
});

describe('the demo SP and a delegated identity', () => {
  async function demoResult(level: string): Promise<Page> {
    const b = new Browser();
    const page = await form(b, `${demoSpURL}/login`);
    const post = await b.submit(page, { principal: 'bob', level }, '_eventId_impersonate');
    return b.submit(post, {});
  }

  it('shows "bob — acted by alice" for a delegated identity', async () => {
    const result = await demoResult('delegate');
    expect(result.status).toBe(200);
    expect(result.html.querySelector('#nameid')?.text).toBe('bob');
    expect(result.html.querySelector('#delegation')?.text).toBe('bob — acted by alice');
    expect(result.html.querySelector('tr[data-attribute=actor] td:last-child')?.text).toBe('alice');
  });

  it('shows no banner for plain impersonation', async () => {
    const result = await demoResult('impersonate');
    expect(result.html.querySelector('#nameid')?.text).toBe('bob');
    expect(result.html.querySelector('#delegation')).toBeNull();
  });
});
