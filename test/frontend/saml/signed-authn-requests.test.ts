/**
 * Signed AuthnRequests against a real IdP, from messages @node-saml/node-saml signed with the SP's
 * key and then attacked: signature wrapping in all its known shapes, foreign keys, forbidden
 * transforms and algorithms, for both bindings. A refused request gets a 4xx page, nothing is
 * released to the SP, and nothing is audited; `%XX` is true only for a verified signature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { hasSamlResponse, TestSp } from '../../support/test-sp.js';
import {
  authnRequestXml,
  deflateParam,
  DS,
  elements,
  ENVELOPED,
  EXC_C14N,
  parseXml,
  postFields,
  rawQuery,
  redirectQuery,
  redirectXml,
  root,
  RSA_SHA1,
  SAML,
  SAMLP,
  serialize,
  signXml,
} from '../../support/saml-messages.js';

const SIGNED_SP = 'https://signed-sp.example.org/shibboleth';
const SHA1_SP = 'https://sha1-sp.example.org/shibboleth';
const OPTIONAL_SP = 'https://optional-sp.example.org/shibboleth';
const METADATA_SP = 'https://metadata-sp.example.org/shibboleth';
const DEMO_SP = 'https://sp.demo.example.org/shibboleth';
const acsOf = (entityID: string) => entityID.replace('/shibboleth', '/acs');

let t: TestIdp;
let spKey: string;
let spCert: string;
let attackerKey: string;
let attackerCert: string;

beforeAll(async () => {
  const sp = await generate([{ name: 'commonName', value: 'signed-sp' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const attacker = await generate([{ name: 'commonName', value: 'attacker' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  spKey = sp.private;
  spCert = sp.cert;
  attackerKey = attacker.private;
  attackerCert = attacker.cert;
  const entry = (entityID: string, extra: string) => `
  - entityID: ${entityID}
    assertionConsumerServiceURL: ${acsOf(entityID)}
${extra}`;
  t = await startTestIdp({
    conf: {
      'signed-sp.crt': spCert,
      'metadata-sp.xml': spMetadata(METADATA_SP, spCert),
      'relying-party.yaml': (old) =>
        old.replace(
          '\noidcClients:',
          entry(SIGNED_SP, '    signingCertificate: signed-sp.crt') +
            entry(SHA1_SP, '    signingCertificate: signed-sp.crt\n    allowSha1Signatures: true') +
            entry(
              OPTIONAL_SP,
              '    signingCertificate: signed-sp.crt\n    wantAuthnRequestsSigned: false',
            ) +
            entry(METADATA_SP, '    metadataFile: metadata-sp.xml') +
            '\noidcClients:',
        ),
    },
  });
});
afterAll(async () => t?.close());

function spFor(
  entityID: string,
  o: { key?: string; post?: boolean; sha1?: boolean; transforms?: string[] } = {},
): Promise<TestSp> {
  return TestSp.create(t.baseURL, {
    entityID,
    acsURL: entityID === DEMO_SP ? undefined : acsOf(entityID),
    privateKey: o.key,
    postBinding: o.post,
    signatureAlgorithm: o.sha1 ? 'sha1' : 'sha256',
    digestAlgorithm: o.sha1 ? 'sha1' : 'sha256',
    xmlSignatureTransforms: o.transforms,
  });
}

function spMetadata(entityID: string, cert: string): string {
  const der = cert.replace(/-----[^-]+-----|\s/g, '');
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="${DS}" entityID="${entityID}">
  <md:SPSSODescriptor AuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${acsOf(entityID)}" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
}

/** A genuinely signed POST-binding request of the SP that must sign. */
async function signedXml(entityID = SIGNED_SP): Promise<string> {
  return (await spFor(entityID, { key: spKey, post: true })).loginXml();
}

function post(xml: string): Promise<Page> {
  return new Browser().post(`${t.baseURL}/idp/profile/SAML2/POST/SSO`, postFields(xml));
}

function redirect(query: string): Promise<Page> {
  return new Browser().get(`${t.baseURL}/idp/profile/SAML2/Redirect/SSO?${query}`);
}

/** An accepted request ends on the login page (nothing is released before a login). */
function expectAccepted(page: Page): void {
  expect(page.status, page.body.slice(0, 800)).toBe(200);
  expect(page.html.querySelector('input[name=j_password]')).not.toBeNull();
}

async function expectRefused(send: () => Promise<Page>, detail: RegExp): Promise<Page> {
  const audited = t.auditRecords().length;
  const page = await send();
  expect(page.status, page.body.slice(0, 800)).toBeGreaterThanOrEqual(400);
  expect(page.status).toBeLessThan(500);
  expect(hasSamlResponse(page)).toBe(false);
  expect(page.html.querySelector('input[name=j_password]')).toBeNull();
  expect(page.html.querySelector('.detail')?.text ?? '').toMatch(detail);
  expect(t.auditRecords()).toHaveLength(audited);
  return page;
}

/** Signs in as dave on an accepted request's login page; returns the audit record of the response. */
async function completeAndAudit(browser: Browser, page: Page) {
  const response = await browser.submit(
    page,
    { j_username: 'dave', j_password: 'demo-dave' },
    '_eventId_proceed',
  );
  expect(hasSamlResponse(response)).toBe(true);
  const records = t.auditRecords();
  return auditRecord(records[records.length - 1]!);
}

/** The attacker's new root: their own ID and flags, the SP's Issuer, and `inside` as its content. */
function forgedRoot(
  original: string,
  inside: (doc: ReturnType<typeof parseXml>) => string,
): string {
  const doc = parseXml(original);
  const r = root(doc);
  const attrs = `ID="_forged" Version="2.0" IssueInstant="${r.getAttribute('IssueInstant')}" ForceAuthn="true" IsPassive="false"`;
  return `<samlp:AuthnRequest xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ${attrs}><saml:Issuer>${SIGNED_SP}</saml:Issuer>${inside(doc)}</samlp:AuthnRequest>`;
}

const wrap = (xml: string) =>
  `<samlp:Extensions><x:Wrap xmlns:x="urn:attacker">${xml}</x:Wrap></samlp:Extensions>`;

describe('a genuinely signed request', () => {
  it('is accepted over POST and audited as signed', async () => {
    const browser = new Browser();
    const page = await browser.post(
      `${t.baseURL}/idp/profile/SAML2/POST/SSO`,
      postFields(await signedXml()),
    );
    expectAccepted(page);
    expect(await completeAndAudit(browser, page)).toMatchObject({
      SP: SIGNED_SP,
      XX: 'true',
      b: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
    });
  });

  it('is accepted over Redirect and audited as signed', async () => {
    const browser = new Browser();
    const page = await browser.get(await (await spFor(SIGNED_SP, { key: spKey })).loginURL());
    expectAccepted(page);
    expect(await completeAndAudit(browser, page)).toMatchObject({ SP: SIGNED_SP, XX: 'true' });
  });
});

describe('an SP configured from its metadata', () => {
  it("has its requests verified with the metadata's signing certificate", async () => {
    const browser = new Browser();
    const page = await browser.post(
      `${t.baseURL}/idp/profile/SAML2/POST/SSO`,
      postFields(await signedXml(METADATA_SP)),
    );
    expectAccepted(page);
    expect(await completeAndAudit(browser, page)).toMatchObject({ SP: METADATA_SP, XX: 'true' });
    await expectRefused(
      async () =>
        new Browser().get(await (await spFor(METADATA_SP, { key: attackerKey })).loginURL()),
      /query signature does not verify/,
    );
    await expectRefused(
      async () => new Browser().get(await (await spFor(METADATA_SP)).loginURL()),
      /is not signed/,
    );
  });
});

describe('signature wrapping over the POST binding', () => {
  it('refuses the original request tucked into Extensions under a new unsigned root, with the signature moved up', async () => {
    const original = await signedXml();
    const wrapped = forgedRoot(original, (doc) => {
      const sig = elements(doc, DS, 'Signature')[0]!;
      sig.parentNode!.removeChild(sig);
      return serialize(sig) + wrap(serialize(root(doc)));
    });
    await expectRefused(
      () => post(wrapped),
      /Reference URI "#_[0-9a-f]+" does not name the AuthnRequest \("#_forged"\)/,
    );
    // The same without a foreign wrapper element is not even valid SAML.
    const direct = forgedRoot(original, (doc) => {
      const sig = elements(doc, DS, 'Signature')[0]!;
      sig.parentNode!.removeChild(sig);
      return `${serialize(sig)}<samlp:Extensions>${serialize(root(doc))}</samlp:Extensions>`;
    });
    await expectRefused(() => post(direct), /not valid SAML 2\.0/);
  });

  it('refuses duplicated IDs: a forged root with the signed ID, the original beside it', async () => {
    const original = await signedXml();
    const id = root(parseXml(original)).getAttribute('ID')!;
    const forged = forgedRoot(original, (doc) => {
      const sig = elements(doc, DS, 'Signature')[0]!;
      sig.parentNode!.removeChild(sig);
      return serialize(sig) + wrap(serialize(root(doc)));
    }).replace('ID="_forged"', `ID="${id}"`);
    await expectRefused(
      () => post(forged),
      /more than one element with the ID|not valid SAML 2\.0/,
    );
    // An ID-like attribute the schema knows nothing about counts as well.
    const shadow = original.replace(
      '<samlp:NameIDPolicy',
      `<samlp:Extensions><x:Copy xmlns:x="urn:attacker" Id="${id}"/></samlp:Extensions><samlp:NameIDPolicy`,
    );
    await expectRefused(
      () => post(shadow),
      new RegExp(`more than one element with the ID "${id}"`),
    );
  });

  it('refuses a request whose only signature is on a child element, not the root', async () => {
    const original = await signedXml();
    const forged = forgedRoot(original, (doc) => wrap(serialize(root(doc))));
    await expectRefused(() => post(forged), /the signature is not on the AuthnRequest itself/);
  });

  it('refuses two signatures, even when one of them is the valid enveloped one', async () => {
    const original = await signedXml();
    const sig = serialize(elements(parseXml(original), DS, 'Signature')[0]!);
    const twice = original.replace(
      '<samlp:NameIDPolicy',
      `<samlp:Extensions><x:Copy xmlns:x="urn:attacker">${sig}</x:Copy></samlp:Extensions><samlp:NameIDPolicy`,
    );
    await expectRefused(() => post(twice), /has 2 signatures; exactly one/);
  });

  it('refuses a Reference URI "" (the whole document), though the signature is valid', async () => {
    const xml = signXml(authnRequestXml({ issuer: SIGNED_SP, acs: acsOf(SIGNED_SP) }), {
      privateKey: spKey,
      isEmptyUri: true,
    });
    expect(xml).toContain('URI=""');
    await expectRefused(() => post(xml), /Reference URI "" does not name the AuthnRequest/);
  });

  it('refuses a valid signature over another element than the root', async () => {
    const unsigned = authnRequestXml({
      issuer: SIGNED_SP,
      acs: acsOf(SIGNED_SP),
      extensions: '<x:Signed xmlns:x="urn:attacker" ID="_other">ok</x:Signed>',
    });
    const xml = signXml(unsigned, { privateKey: spKey, xpath: "//*[@ID='_other']" });
    expect(xml).toContain('URI="#_other"');
    await expectRefused(() => post(xml), /Reference URI "#_other" does not name the AuthnRequest/);
  });

  it("refuses a request signed with the attacker's key, whatever its KeyInfo says", async () => {
    const xml = signXml(authnRequestXml({ issuer: SIGNED_SP, acs: acsOf(SIGNED_SP) }), {
      privateKey: attackerKey,
      keyInfoCert: attackerCert,
    });
    expect(xml).toContain('X509Certificate');
    await expectRefused(
      () => post(xml),
      /does not verify with the certificate configured for https:\/\/signed-sp/,
    );
    // Even the SP's own certificate in KeyInfo does not make the attacker's signature good.
    const claiming = signXml(authnRequestXml({ issuer: SIGNED_SP, acs: acsOf(SIGNED_SP) }), {
      privateKey: attackerKey,
      keyInfoCert: spCert,
    });
    await expectRefused(() => post(claiming), /does not verify/);
  });

  it('refuses a signed request changed after signing', async () => {
    const tampered = (await signedXml()).replace(
      '<samlp:AuthnRequest ',
      '<samlp:AuthnRequest ForceAuthn="true" ',
    );
    await expectRefused(() => post(tampered), /digest does not match/);
  });

  it.each([
    [
      '#WithComments transform',
      [ENVELOPED, 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments'],
      /transforms must be exactly enveloped-signature and exclusive C14N/,
    ],
    [
      'inclusive C14N transform',
      [ENVELOPED, 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315'],
      /transforms must be exactly/,
    ],
    [
      'a third transform',
      [ENVELOPED, 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315', EXC_C14N],
      /transforms must be exactly/,
    ],
    ['exclusive C14N alone', [EXC_C14N], /transforms must be exactly/],
  ])('refuses a genuinely signed request with %s', async (_what, transforms, detail) => {
    const xml = await (await spFor(SIGNED_SP, { key: spKey, post: true, transforms })).loginXml();
    await expectRefused(() => post(xml), detail);
  });

  it('refuses an XPath or XSLT transform and a WithComments CanonicalizationMethod', async () => {
    const xml = await signedXml();
    const xpath = xml.replace(
      `<Transform Algorithm="${EXC_C14N}"/>`,
      '<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><XPath>not(ancestor-or-self::*)</XPath></Transform>',
    );
    expect(xpath).not.toBe(xml);
    await expectRefused(() => post(xpath), /transforms must be exactly .*REC-xpath/);
    const xslt = xml.replace(
      `<Transform Algorithm="${EXC_C14N}"/>`,
      '<Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>',
    );
    await expectRefused(() => post(xslt), /transforms must be exactly .*REC-xslt/);
    const withComments = signXml(authnRequestXml({ issuer: SIGNED_SP, acs: acsOf(SIGNED_SP) }), {
      privateKey: spKey,
      canonicalization: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
    });
    await expectRefused(
      () => post(withComments),
      /CanonicalizationMethod .* is not exclusive C14N without comments/,
    );
  });

  it('refuses an InclusiveNamespaces list long enough to make canonicalization costly', async () => {
    const xml = await signedXml();
    const prefixes = Array.from({ length: 17 }, (_, i) => `p${i}`).join(' ');
    const listed = xml.replace(
      `<Transform Algorithm="${EXC_C14N}"/>`,
      `<Transform Algorithm="${EXC_C14N}"><ec:InclusiveNamespaces xmlns:ec="${EXC_C14N}" PrefixList="${prefixes}"/></Transform>`,
    );
    expect(listed).not.toBe(xml);
    await expectRefused(() => post(listed), /lists 17 InclusiveNamespaces prefixes; at most 16/);
  });

  it('refuses, with a 4xx, a signed request that libxml2 cannot canonicalize (a relative namespace URI)', async () => {
    const xml = signXml(
      authnRequestXml({
        issuer: SIGNED_SP,
        acs: acsOf(SIGNED_SP),
        attributes: ' xmlns:p0="relative"',
      }),
      { privateKey: spKey },
    );
    await expectRefused(() => post(xml), /cannot be canonicalized/);
  });

  it('reads the whole text of the signed Issuer, never a fragment before a comment', async () => {
    // A comment inside the signed Issuer does not change the signed text: still accepted, as SIGNED_SP.
    const browser = new Browser();
    const commented = (await signedXml()).replace(
      `>${SIGNED_SP}<`,
      `>${SIGNED_SP.slice(0, 20)}<!-- x -->${SIGNED_SP.slice(20)}<`,
    );
    expect(commented).toContain('<!-- x -->');
    const page = await browser.post(
      `${t.baseURL}/idp/profile/SAML2/POST/SSO`,
      postFields(commented),
    );
    expectAccepted(page);
    expect(await completeAndAudit(browser, page)).toMatchObject({ SP: SIGNED_SP, XX: 'true' });
    // The known SP's ID followed by a comment and more text is another, unknown, issuer.
    const unsigned = authnRequestXml({ issuer: `${DEMO_SP}<!---->.evil.example` });
    const refused = await expectRefused(
      () => post(unsigned),
      /no service provider with entity ID "https:\/\/sp\.demo\.example\.org\/shibboleth\.evil\.example"/,
    );
    expect(refused.html.querySelector('h1')?.text).toBe('Unknown Service');
  });
});

describe('SHA-1', () => {
  it('refuses RSA-SHA1 and SHA-1 digests by default, for both bindings', async () => {
    const sha1 = await spFor(SIGNED_SP, { key: spKey, sha1: true });
    await expectRefused(
      async () => new Browser().get(await sha1.loginURL()),
      /signature algorithm .*rsa-sha1 uses SHA-1, which is refused/,
    );
    const sha1Post = await spFor(SIGNED_SP, { key: spKey, sha1: true, post: true });
    await expectRefused(
      async () => post(await sha1Post.loginXml()),
      /uses SHA-1, which is refused/,
    );
    const sha1Digest = signXml(authnRequestXml({ issuer: SIGNED_SP, acs: acsOf(SIGNED_SP) }), {
      privateKey: spKey,
      digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1',
    });
    await expectRefused(
      () => post(sha1Digest),
      /digest algorithm .*sha1 is SHA-1, which is refused/,
    );
  });

  it('accepts SHA-1 from an SP with allowSha1Signatures, with a WARN at start-up and for each request', async () => {
    expect(t.processLog()).toMatch(
      new RegExp(
        `WARN .*relying-party\\.yaml:\\d+: ${SHA1_SP.replace(/[./]/g, '\\$&')}: allowSha1Signatures is set`,
      ),
    );
    const redirectSp = await spFor(SHA1_SP, { key: spKey, sha1: true });
    const browser = new Browser();
    const page = await browser.get(await redirectSp.loginURL());
    expectAccepted(page);
    expect(await completeAndAudit(browser, page)).toMatchObject({ SP: SHA1_SP, XX: 'true' });
    const postSp = await spFor(SHA1_SP, { key: spKey, sha1: true, post: true });
    expectAccepted(await post(await postSp.loginXml()));
    await expect
      .poll(
        () =>
          t
            .processLog()
            .match(
              new RegExp(
                `WARN .*AuthnRequest from ${SHA1_SP.replace(/[./]/g, '\\$&')} accepted with a SHA-1 signature`,
                'g',
              ),
            )?.length ?? 0,
      )
      .toBe(2);
  });
});

describe('%XX (IS_SIGNED) is true only for a verified signature', () => {
  it('is false for a signed request of an SP without a certificate (nothing to verify with)', async () => {
    for (const postBinding of [false, true]) {
      const signing = await spFor(DEMO_SP, { key: attackerKey, post: postBinding });
      const browser = new Browser();
      const page = postBinding
        ? await browser.post(
            `${t.baseURL}/idp/profile/SAML2/POST/SSO`,
            postFields(await signing.loginXml()),
          )
        : await browser.get(await signing.loginURL());
      expectAccepted(page);
      expect(await completeAndAudit(browser, page)).toMatchObject({ SP: DEMO_SP, XX: 'false' });
    }
  });

  it('verifies the optional signature of an SP with a certificate: true when good, refused when bad, false when absent', async () => {
    const good = new Browser();
    const goodPage = await good.get(await (await spFor(OPTIONAL_SP, { key: spKey })).loginURL());
    expectAccepted(goodPage);
    expect(await completeAndAudit(good, goodPage)).toMatchObject({ SP: OPTIONAL_SP, XX: 'true' });

    const forged = await spFor(OPTIONAL_SP, { key: attackerKey });
    await expectRefused(
      async () => new Browser().get(await forged.loginURL()),
      /query signature does not verify/,
    );
    const forgedPost = signXml(authnRequestXml({ issuer: OPTIONAL_SP, acs: acsOf(OPTIONAL_SP) }), {
      privateKey: attackerKey,
      keyInfoCert: attackerCert,
    });
    await expectRefused(() => post(forgedPost), /does not verify/);

    const none = new Browser();
    const nonePage = await none.get(await (await spFor(OPTIONAL_SP)).loginURL());
    expectAccepted(nonePage);
    expect(await completeAndAudit(none, nonePage)).toMatchObject({ SP: OPTIONAL_SP, XX: 'false' });
  });

  it('refuses an unsigned request when the SP must sign, over both bindings', async () => {
    await expectRefused(
      async () => new Browser().get(await (await spFor(SIGNED_SP)).loginURL()),
      /is not signed, and .* must sign its requests/,
    );
    await expectRefused(
      () => post(authnRequestXml({ issuer: SIGNED_SP, acs: acsOf(SIGNED_SP) })),
      /is not signed/,
    );
  });
});

describe('the Redirect binding', () => {
  it('refuses a tampered query: changed RelayState, SAMLRequest or SigAlg', async () => {
    const url = await (await spFor(SIGNED_SP, { key: spKey })).loginURL('a');
    await expectRefused(
      () => new Browser().get(url.replace('RelayState=a', 'RelayState=b')),
      /query signature does not verify/,
    );
    const wrappedXml = forgedRoot(redirectXml(url), (doc) => wrap(serialize(root(doc))));
    const params = rawQuery(url).map(([k, v]) =>
      k === 'SAMLRequest' ? `${k}=${deflateParam(wrappedXml)}` : `${k}=${v}`,
    );
    await expectRefused(() => redirect(params.join('&')), /query signature does not verify/);
    const sha512 = rawQuery(url).map(([k, v]) =>
      k === 'SigAlg'
        ? `${k}=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha512')}`
        : `${k}=${v}`,
    );
    await expectRefused(() => redirect(sha512.join('&')), /query signature does not verify/);
  });

  it("refuses a query re-signed with the attacker's key", async () => {
    const xml = authnRequestXml({ issuer: SIGNED_SP, acs: acsOf(SIGNED_SP) });
    await expectRefused(
      () => redirect(redirectQuery(xml, { relayState: 'r', privateKey: attackerKey })),
      /query signature does not verify/,
    );
  });

  it.each(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature'])(
    'refuses %s given twice',
    async (name) => {
      const url = await (await spFor(SIGNED_SP, { key: spKey })).loginURL('r');
      const params = rawQuery(url);
      const [, value] = params.find(([k]) => k === name)!;
      const doubled = [...params.map(([k, v]) => `${k}=${v}`), `${name}=${value}`];
      await expectRefused(
        () => redirect(doubled.join('&')),
        new RegExp(`${name} is given more than once`),
      );
      // First or last: which one a parser would keep must never matter.
      await expectRefused(
        () => redirect([`${name}=${value}`, ...params.map(([k, v]) => `${k}=${v}`)].join('&')),
        /given more than once/,
      );
    },
  );

  it('refuses a SHA-1 SigAlg from an SP that must sign', async () => {
    const xml = authnRequestXml({ issuer: SIGNED_SP, acs: acsOf(SIGNED_SP) });
    await expectRefused(
      () => redirect(redirectQuery(xml, { privateKey: spKey, sigAlg: RSA_SHA1 })),
      /uses SHA-1, which is refused/,
    );
  });

  it('refuses an XML signature inside a Redirect-binding message, signed query or not', async () => {
    const xmlSigned = await signedXml(OPTIONAL_SP);
    await expectRefused(
      () => redirect(redirectQuery(xmlSigned, { relayState: 'r' })),
      /must not carry an XML signature/,
    );
    await expectRefused(
      () => redirect(redirectQuery(xmlSigned, { relayState: 'r', privateKey: spKey })),
      /must not carry an XML signature/,
    );
    const signedSp = await signedXml(SIGNED_SP);
    await expectRefused(
      () => redirect(redirectQuery(signedSp, { relayState: 'r', privateKey: spKey })),
      /must not carry an XML signature/,
    );
  });

  it('refuses SigAlg without Signature and the other way round', async () => {
    const url = await (await spFor(SIGNED_SP, { key: spKey })).loginURL('r');
    const without = (name: string) =>
      rawQuery(url)
        .filter(([k]) => k !== name)
        .map(([k, v]) => `${k}=${v}`)
        .join('&');
    await expectRefused(
      () => redirect(without('Signature')),
      /one of SigAlg and Signature without the other/,
    );
    await expectRefused(
      () => redirect(without('SigAlg')),
      /one of SigAlg and Signature without the other/,
    );
  });
});
