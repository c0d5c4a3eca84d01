/**
 * Where a response goes, end to end with @node-saml/node-saml SPs: an SP registered by its
 * metadata file alone, with several AssertionConsumerServices. The AuthnRequest picks one by
 * AssertionConsumerServiceIndex or by AssertionConsumerServiceURL, else the default HTTP-POST one
 * is used; the chosen Location is the form action, the CSP form-action, the Destination and the
 * Recipient, and node-saml accepts the response there. An unknown index or URL, an endpoint or a
 * ProtocolBinding other than HTTP-POST, and index together with URL are refused before any login
 * (a local EndpointResolutionFailed page, nothing audited). The metadata's AuthnRequestsSigned is
 * enforced, and an SP no attribute-filter policy releases to gets a start-up WARN.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { authnRequestXml, postFields, signXml } from '../../support/saml-messages.js';
import { hasSamlResponse, responseXml, signInThrough, TestSp } from '../../support/test-sp.js';

const MULTI_SP = 'https://multi-sp.example.org/shibboleth';
const SIGNING_SP = 'https://md-signing-sp.example.org/shibboleth';
const B = 'urn:oasis:names:tc:SAML:2.0:bindings:';
const ACS = {
  zero: 'https://multi-sp.example.org/acs/zero',
  one: 'https://multi-sp.example.org/acs/one',
  artifact: 'https://multi-sp.example.org/acs/artifact',
  other: 'https://other-origin.example.net/acs',
};

const endpoint = (binding: string, location: string, index: number, extra = '') =>
  `<md:AssertionConsumerService Binding="${B}${binding}" Location="${location}" index="${index}"${extra}/>`;
const entity = (entityID: string, role: string, attrs = '') =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityID}">
  <md:SPSSODescriptor${attrs} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${role}</md:SPSSODescriptor>
</md:EntityDescriptor>`;

let t: TestIdp;
let spKey: string;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'md-signing-sp' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  spKey = pems.private;
  const der = pems.cert.replace(/-----[^-]+-----|\s/g, '');
  t = await startTestIdp({
    conf: {
      'multi-sp.xml': entity(
        MULTI_SP,
        endpoint('HTTP-POST', ACS.zero, 0) +
          endpoint('HTTP-POST', ACS.one, 1, ' isDefault="true"') +
          endpoint('HTTP-Artifact', ACS.artifact, 2) +
          endpoint('HTTP-POST', ACS.other, 3),
      ),
      'signing-sp.xml': entity(
        SIGNING_SP,
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
          endpoint('HTTP-POST', 'https://md-signing-sp.example.org/acs', 0) +
          endpoint('HTTP-POST', 'https://md-signing-sp.example.org/acs/five', 5),
        ' AuthnRequestsSigned="true"',
      ),
      'relying-party.yaml': (old) =>
        old.replace(
          '\noidcClients:',
          '\n  - metadataFile: multi-sp.xml\n  - metadataFile: signing-sp.xml\n\noidcClients:',
        ),
      'attribute-filter.yaml': (old) =>
        `${old}\n  - id: releaseToSigningSp\n    requesters: ["${SIGNING_SP}"]\n    permit: [uid]\n`,
    },
  });
});
afterAll(async () => t?.close());

/** node-saml's redirect URL with its AuthnRequest changed by `edit` (unsigned, as node-saml sent it). */
async function editedLoginURL(sp: TestSp, edit: (xml: string) => string): Promise<string> {
  const url = new URL(await sp.loginURL());
  const xml = inflateRawSync(
    Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64'),
  ).toString();
  url.searchParams.set('SAMLRequest', deflateRawSync(edit(xml)).toString('base64'));
  return url.toString();
}

/** The request asks by index only: no AssertionConsumerServiceURL, no ProtocolBinding. */
const byIndex = (index: string) => (xml: string) =>
  withoutAcsFields(xml).replace(
    '<samlp:AuthnRequest ',
    `<samlp:AuthnRequest AssertionConsumerServiceIndex="${index}" `,
  );
const withoutAcsFields = (xml: string) =>
  xml.replace(/ (AssertionConsumerServiceURL|ProtocolBinding)="[^"]*"/g, '');

/** Signs in as dave on the request's login page; the response page must go to `acs`. */
async function expectPostedTo(sp: TestSp, url: string, acs: string): Promise<void> {
  const browser = new Browser();
  const login = await browser.get(url);
  expect(login.status, login.body.slice(0, 800)).toBe(200);
  const page = await browser.submit(
    login,
    { j_username: 'dave', j_password: 'demo-dave' },
    '_eventId_proceed',
  );
  expect(page.html.querySelector('form')?.getAttribute('action')).toBe(acs);
  expect(page.headers.get('content-security-policy')).toContain(
    `form-action 'self' ${new URL(acs).origin}`,
  );
  const xml = responseXml(page);
  expect(xml).toContain(`Destination="${acs}"`);
  expect(xml).toContain(`Recipient="${acs}"`);
  expect((await sp.receive(page)).nameID).toBe('dave');
}

async function expectRefused(url: string, detail: RegExp): Promise<Page> {
  const audited = t.auditRecords().length;
  const page = await new Browser().get(url);
  expect(page.status, page.body.slice(0, 800)).toBe(400);
  expect(hasSamlResponse(page)).toBe(false);
  expect(page.html.querySelector('input[name=j_password]')).toBeNull();
  expect(page.html.querySelector('.detail')?.text ?? '').toMatch(detail);
  expect(t.auditRecords()).toHaveLength(audited);
  return page;
}

const multiSp = (acsURL: string) => TestSp.create(t.baseURL, { entityID: MULTI_SP, acsURL });

describe('ACS selection for an SP registered by its metadata file alone', () => {
  it('posts to the endpoint whose Location the request names', async () => {
    const sp = await multiSp(ACS.other);
    await expectPostedTo(sp, await sp.loginURL(), ACS.other);
  });

  it('posts to the endpoint of the index the request names', async () => {
    const sp = await multiSp(ACS.zero);
    await expectPostedTo(sp, await editedLoginURL(sp, byIndex('0')), ACS.zero);
  });

  it('posts to the default (isDefault="true") HTTP-POST endpoint when the request names none', async () => {
    const sp = await multiSp(ACS.one);
    await expectPostedTo(sp, await editedLoginURL(sp, withoutAcsFields), ACS.one);
  });

  it('refuses an unknown index, an unregistered URL, and a URL that differs in any way', async () => {
    const sp = await multiSp(ACS.zero);
    await expectRefused(
      await editedLoginURL(sp, byIndex('9')),
      /AssertionConsumerServiceIndex "9" names no endpoint registered for https:\/\/multi-sp/,
    );
    for (const acs of ['https://evil.example.net/acs', `${ACS.zero}/`, ACS.zero.toUpperCase()]) {
      await expectRefused(
        await (await multiSp(acs)).loginURL(),
        /AssertionConsumerServiceURL ".*" is not registered for https:\/\/multi-sp/,
      );
    }
  });

  it('refuses the Artifact endpoint by index or URL, and a request for the Artifact binding', async () => {
    const sp = await multiSp(ACS.artifact);
    await expectRefused(
      await editedLoginURL(sp, byIndex('2')),
      /AssertionConsumerServiceIndex 2 of .* has binding ".*HTTP-Artifact": responses are sent by HTTP-POST only/,
    );
    await expectRefused(
      await sp.loginURL(),
      /registered only for .*HTTP-Artifact: responses are sent by HTTP-POST only/,
    );
    await expectRefused(
      await editedLoginURL(sp, (xml) => xml.replace(`${B}HTTP-POST`, `${B}HTTP-Artifact`)),
      /ProtocolBinding ".*HTTP-Artifact" is not supported: responses are sent by HTTP-POST only/,
    );
  });

  it('refuses AssertionConsumerServiceIndex together with the URL or ProtocolBinding', async () => {
    const sp = await multiSp(ACS.zero);
    const withIndex = (xml: string) =>
      xml.replace('<samlp:AuthnRequest ', '<samlp:AuthnRequest AssertionConsumerServiceIndex="0" ');
    await expectRefused(
      await editedLoginURL(sp, withIndex),
      /AssertionConsumerServiceIndex excludes/,
    );
    await expectRefused(
      await editedLoginURL(sp, (xml) =>
        withIndex(xml.replace(/ AssertionConsumerServiceURL="[^"]*"/, '')),
      ),
      /AssertionConsumerServiceIndex excludes/,
    );
  });
});

describe("the metadata's AuthnRequestsSigned", () => {
  it('refuses unsigned requests and accepts signed ones, over both bindings', async () => {
    const create = (o: { key?: string; post?: boolean }) =>
      TestSp.create(t.baseURL, {
        entityID: SIGNING_SP,
        acsURL: 'https://md-signing-sp.example.org/acs',
        privateKey: o.key,
        postBinding: o.post,
      });
    await expectRefused(await (await create({})).loginURL(), /must sign its requests/);
    const unsignedPost = await new Browser().post(
      `${t.baseURL}/idp/profile/SAML2/POST/SSO`,
      await (await create({ post: true })).loginForm(),
    );
    expect(unsignedPost.status).toBe(400);
    const signed = await create({ key: spKey });
    const page = await signInThrough(signed, new Browser(), 'dave');
    expect((await signed.receive(page)).nameID).toBe('dave');
  });
});

describe('the index of a signed request', () => {
  it('is read from the signed root: honoured as signed, refused when changed after signing', async () => {
    const signed = signXml(
      authnRequestXml({ issuer: SIGNING_SP, attributes: ' AssertionConsumerServiceIndex="5"' }),
      { privateKey: spKey },
    );
    const browser = new Browser();
    const login = await browser.post(`${t.baseURL}/idp/profile/SAML2/POST/SSO`, postFields(signed));
    expect(login.status, login.body.slice(0, 800)).toBe(200);
    const page = await browser.submit(
      login,
      { j_username: 'dave', j_password: 'demo-dave' },
      '_eventId_proceed',
    );
    expect(page.html.querySelector('form')?.getAttribute('action')).toBe(
      'https://md-signing-sp.example.org/acs/five',
    );
    const tampered = signed.replace(
      'AssertionConsumerServiceIndex="5"',
      'AssertionConsumerServiceIndex="0"',
    );
    const refused = await new Browser().post(
      `${t.baseURL}/idp/profile/SAML2/POST/SSO`,
      postFields(tampered),
    );
    expect(refused.status).toBe(400);
    expect(refused.html.querySelector('.detail')?.text).toMatch(/signature/i);
    expect(hasSamlResponse(refused)).toBe(false);
  });
});

describe('start-up warnings', () => {
  it('names the SAML SP no attribute-filter policy releases anything to, and only that one', () => {
    const warnings = t
      .processLog()
      .split('\n')
      .filter((l) => l.includes('releases any attribute'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /WARN .*relying-party\.yaml:\d+: https:\/\/multi-sp\.example\.org\/shibboleth: no policy in attribute-filter\.yaml releases any attribute/,
    );
  });
});

describe('start-up', () => {
  it('fails, naming file, line and key, when the YAML entityID is not the metadata one', async () => {
    await expect(
      startTestIdp({
        conf: {
          'multi-sp.xml': entity(MULTI_SP, endpoint('HTTP-POST', ACS.zero, 0)),
          'relying-party.yaml': (old) =>
            old.replace(
              '\noidcClients:',
              '\n  - entityID: https://yaml.example.org/sp\n    metadataFile: multi-sp.xml\n\noidcClients:',
            ),
        },
      }),
    ).rejects.toThrow(
      /relying-party\.yaml:\d+: samlServiceProviders\[1\]\.metadataFile: describes "https:\/\/multi-sp\.example\.org\/shibboleth", not "https:\/\/yaml\.example\.org\/sp"/,
    );
  });
});
