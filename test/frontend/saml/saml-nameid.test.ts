/**
 * NameIDs over HTTP (issue 11 item 1): node-saml SPs asking with and without a NameIDPolicy. The
 * demo SP lists [persistent, transient, unspecified]; a second SP only persistent. Persistent
 * identifiers are opaque, stable, pairwise (one per SP) and, under impersonation, the target's —
 * the very identifier the target's own login gets. Transient ones differ in every response. A
 * format the SP is not configured for, a foreign SPNameQualifier, or AllowCreate="false" with no
 * stored identifier is an audited InvalidNameIDPolicy Response. The metadata lists only the
 * configured formats.
 */
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { samlSignIn } from '../../support/impersonate-pages.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { responseXml, TestSp, type TestSpOptions } from '../../support/test-sp.js';

const FORMAT = {
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
};
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DEMO_SP = 'https://sp.demo.example.org/shibboleth';
const SP2 = 'https://sp2.example.org/shibboleth';
const SP2_ACS = 'http://127.0.0.1:9/sp2/acs';

let t: TestIdp;
let idpEntityID: string;

beforeAll(async () => {
  t = await startTestIdp({
    conf: {
      'relying-party.yaml': (old) =>
        old.replace(
          '    nameIDFormat: unspecified\n    postAuthenticationFlows: [impersonate]\n',
          () =>
            '    nameIDFormat: [persistent, transient, unspecified]\n' +
            '    postAuthenticationFlows: [impersonate]\n' +
            `  - entityID: "${SP2}"\n    assertionConsumerServiceURL: "${SP2_ACS}"\n` +
            '    nameIDFormat: urn:oasis:names:tc:SAML:2.0:nameid-format:persistent\n' +
            '    postAuthenticationFlows: [impersonate]\n',
        ),
    },
  });
  idpEntityID = t.idp.config.properties.entityID;
});
afterAll(async () => t?.close());

const demoSp = (options: TestSpOptions = {}) => TestSp.create(t.baseURL, options);
const sp2 = (options: TestSpOptions = {}) =>
  TestSp.create(t.baseURL, { entityID: SP2, acsURL: SP2_ACS, ...options });

/** The response `user` gets at `sp`, continuing normally past the impersonate form if shown. */
async function responseFor(sp: TestSp, user: string): Promise<Page> {
  const b = new Browser();
  const page = await samlSignIn(b, sp, user);
  return isForm(page) ? b.submit(page, {}, '_eventId_proceed') : page;
}

/** `tester` impersonates `target` at `sp`: the response the SP gets. */
async function impersonated(sp: TestSp, tester: string, target: string): Promise<Page> {
  const b = new Browser();
  const form = await samlSignIn(b, sp, tester);
  expect(isForm(form)).toBe(true);
  return b.submit(form, { principal: target }, '_eventId_impersonate');
}

const isForm = (page: Page) => page.html.querySelector('h1')?.text === 'Account Impersonation';

/** The NameID element as sent: value and every attribute. */
function nameIdOf(page: Page): Record<string, string> {
  const doc = new DOMParser().parseFromString(responseXml(page), 'text/xml');
  const el = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'NameID')[0]!;
  const attrs = Object.fromEntries(Array.from(el.attributes).map((a) => [a.name, a.value]));
  return { ...attrs, value: el.textContent ?? '' };
}

async function expectInvalidNameIdPolicy(sp: TestSp, page: Page): Promise<void> {
  expect(responseXml(page)).toContain(
    'Value="urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy"',
  );
  expect(responseXml(page)).not.toContain('NameID>');
  await expect(sp.validate(page)).rejects.toThrow(/InvalidNameIDPolicy|Requester/);
  expect(t.lastAudit()).toMatchObject({
    e: 'InvalidNameIDPolicy',
    S: 'Requester',
    SS: 'InvalidNameIDPolicy',
    n: '',
  });
}

describe('persistent NameIDs', () => {
  it('are created when first asked for under impersonation, and kept for the target', async () => {
    const sp = await demoSp();
    const asCarol = nameIdOf(await impersonated(sp, 'alice', 'carol'));
    expect(asCarol.Format).toBe(FORMAT.persistent);
    const own = await demoSp({ identifierFormat: FORMAT.persistent, allowCreate: false });
    expect((await own.receive(await responseFor(own, 'carol'))).nameID).toBe(asCarol.value);
  });

  it('are the first configured format without a NameIDPolicy Format: opaque, qualified, stable, audited', async () => {
    const sp = await demoSp();
    const first = await responseFor(sp, 'bob');
    const profile = await sp.receive(first);
    expect(profile.nameIDFormat).toBe(FORMAT.persistent);
    expect(profile.nameQualifier).toBe(idpEntityID);
    expect(profile.spNameQualifier).toBe(DEMO_SP);
    const id = profile.nameID;
    expect(id).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(id.toLowerCase()).not.toContain('bob');
    expect(t.lastAudit()).toMatchObject({ u: 'bob', n: id, f: 'persistent', S: 'Success' });

    expect(nameIdOf(await responseFor(await demoSp(), 'bob')).value).toBe(id);
    expect(nameIdOf(await responseFor(await demoSp(), 'carol')).value).not.toBe(id);
  });

  it('differ per SP, and an impersonated target gets its own identifier at each', async () => {
    const bobAtDemo = nameIdOf(await responseFor(await demoSp(), 'bob')).value;
    const bobAtSp2 = nameIdOf(await responseFor(await sp2(), 'bob')).value;
    expect(bobAtSp2).not.toBe(bobAtDemo);

    // alice as bob at the demo SP; erin (help desk) as bob at sp2.
    const sp = await demoSp();
    const asBob = await impersonated(sp, 'alice', 'bob');
    const profile = await sp.receive(asBob);
    expect(profile.nameID).toBe(bobAtDemo);
    expect(profile.spNameQualifier).toBe(DEMO_SP);
    expect(t.lastAudit()).toMatchObject({ u: 'bob', uu: 'alice', n: bobAtDemo });
    const other = await sp2();
    expect((await other.receive(await impersonated(other, 'erin', 'bob'))).nameID).toBe(bobAtSp2);
    expect(t.lastAudit()).toMatchObject({ u: 'bob', uu: 'erin', n: bobAtSp2 });
  });

  it('AllowCreate="false" without a stored identifier is InvalidNameIDPolicy; with one, it is sent', async () => {
    const noCreate = await sp2({ identifierFormat: FORMAT.persistent, allowCreate: false });
    await expectInvalidNameIdPolicy(noCreate, await responseFor(noCreate, 'dave'));

    const created = nameIdOf(await responseFor(await sp2(), 'dave')).value;
    const again = await responseFor(noCreate, 'dave');
    expect((await noCreate.receive(again)).nameID).toBe(created);
  });

  it('AllowCreate="false" without a stored identifier falls to the next configured format when no Format is asked', async () => {
    const sp = await demoSp({ allowCreate: false });
    const profile = await sp.receive(await responseFor(sp, 'dave'));
    expect(profile.nameIDFormat).toBe(FORMAT.transient);
  });

  it('accept the SP’s own entity ID as SPNameQualifier, and refuse another', async () => {
    const own = await sp2({ spNameQualifier: SP2 });
    expect((await own.receive(await responseFor(own, 'bob'))).spNameQualifier).toBe(SP2);
    const foreign = await sp2({ spNameQualifier: 'https://affiliation.example.org' });
    await expectInvalidNameIdPolicy(foreign, await responseFor(foreign, 'bob'));
  });
});

describe('transient NameIDs', () => {
  it('differ in every response and from the persistent one, qualified like them', async () => {
    const sp = await demoSp({ identifierFormat: FORMAT.transient });
    const one = await sp.receive(await responseFor(sp, 'bob'));
    const two = await sp.receive(await responseFor(sp, 'bob'));
    expect(one.nameIDFormat).toBe(FORMAT.transient);
    expect(one.nameQualifier).toBe(idpEntityID);
    expect(one.spNameQualifier).toBe(DEMO_SP);
    expect(one.nameID).not.toBe(two.nameID);
    expect(one.nameID).not.toContain('bob');
    const persistent = nameIdOf(await responseFor(await demoSp(), 'bob')).value;
    expect([one.nameID, two.nameID]).not.toContain(persistent);
  });

  it('are sent under impersonation too, for the target', async () => {
    const sp = await demoSp({ identifierFormat: FORMAT.transient });
    const profile = await sp.receive(await impersonated(sp, 'alice', 'bob'));
    expect(profile.nameIDFormat).toBe(FORMAT.transient);
    expect(t.lastAudit()).toMatchObject({ u: 'bob', uu: 'alice', n: profile.nameID });
  });

  it('survive the POST binding’s detour (the parked request keeps its NameIDPolicy)', async () => {
    const sp = await demoSp({ identifierFormat: FORMAT.transient, postBinding: true });
    const b = new Browser();
    const form = await sp.loginForm();
    const login = await b.post(`${t.baseURL}/idp/profile/SAML2/POST/SSO`, form);
    const page = await b.submit(
      login,
      { j_username: 'bob', j_password: 'demo-bob' },
      '_eventId_proceed',
    );
    expect((await sp.receive(page)).nameIDFormat).toBe(FORMAT.transient);
  });
});

describe('the NameIDPolicy Format', () => {
  it('unspecified leaves the choice to the SP’s formats (a named one: the transient tests above)', async () => {
    const sp = await demoSp({ identifierFormat: FORMAT.unspecified });
    expect((await sp.receive(await responseFor(sp, 'bob'))).nameIDFormat).toBe(FORMAT.persistent);
  });

  it('one not configured for the SP is an audited InvalidNameIDPolicy Response', async () => {
    const email = await demoSp({ identifierFormat: FORMAT.emailAddress });
    await expectInvalidNameIdPolicy(email, await responseFor(email, 'bob'));
    // The SP learns only the status; the process log says why.
    expect(t.processLog()).toContain(
      `WARN [net.shibboleth.idp.saml.nameid] - InvalidNameIDPolicy for ${DEMO_SP} (conf/relying-party.yaml:`,
    );
    expect(t.processLog()).toContain(
      `: Format "${FORMAT.emailAddress}" is not one configured for the SP (persistent, transient, unspecified)`,
    );
    const transient = await sp2({ identifierFormat: FORMAT.transient });
    await expectInvalidNameIdPolicy(transient, await responseFor(transient, 'bob'));
  });
});

describe('the identify preview', () => {
  async function previewSubject(options: TestSpOptions): Promise<string> {
    const b = new Browser();
    const form = await samlSignIn(b, await demoSp(options), 'alice');
    const page = await b.submit(
      form,
      { principal: 'bob', level: 'identify' },
      '_eventId_impersonate',
    );
    return page.html.querySelector('table.preview tbody tr')!.text.replace(/\s+/g, ' ').trim();
  }

  it('names the format the response would carry, and what its value would be', async () => {
    expect(await previewSubject({})).toBe(
      `NameID (${FORMAT.persistent}) (this account's stable identifier at this SP (created at its first release))`,
    );
    expect(await previewSubject({ identifierFormat: FORMAT.transient })).toBe(
      `NameID (${FORMAT.transient}) (a new random identifier in each response)`,
    );
    expect(await previewSubject({ identifierFormat: FORMAT.emailAddress })).toContain(
      'none: the SP would get InvalidNameIDPolicy (Format',
    );
  });
});

describe('the IdP metadata', () => {
  it('lists the NameID formats the SPs are configured for, and no other', async () => {
    const xml = await (await fetch(`${t.baseURL}/idp/shibboleth`)).text();
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const formats = Array.from(doc.getElementsByTagNameNS(MD, 'NameIDFormat')).map(
      (e) => e.textContent,
    );
    expect(formats.sort()).toEqual(
      [FORMAT.persistent, FORMAT.transient, FORMAT.unspecified].sort(),
    );
  });
});
