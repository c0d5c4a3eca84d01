/**
 * Encrypted assertions end to end (issue 11 item 5): a real IdP on loopback whose demo SP has an
 * encryption certificate (relying-party.yaml `encryptionCertificate`), and a second SP whose
 * metadata file carries one (KeyDescriptor use="encryption"). node-saml, holding the SP's private
 * key (decryptionPvk), verifies the Response signature over the EncryptedAssertion, decrypts it and
 * verifies the assertion's own signature — for a normal sign-in and under impersonation. Without
 * the key, or with another, it refuses. On the wire: AES-256-GCM, RSA-OAEP, and no NameID or
 * attribute value in clear. The audit record names the encryption algorithm (%XA).
 */
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { audits, samlSignIn } from '../../support/impersonate-pages.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { attribute, OID, responseXml, TestSp } from '../../support/test-sp.js';
import { keyPair, type KeyPair } from '../../support/key-pair.js';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XENC = 'http://www.w3.org/2001/04/xmlenc#';
const AES256_GCM = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
// RSA with another key fails in OAEP decoding, or earlier when the ciphertext, read as a number,
// is not below the other key's modulus: which one depends on the random session key.
const WRONG_KEY = /oaep decoding error|data too large for modulus/i;
const RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
const DEMO_SP = 'https://sp.demo.example.org/shibboleth';
const MD_SP = 'https://enc-md.example.org/shibboleth';
const MD_ACS = 'http://127.0.0.1:9/enc-md/acs';

const metadata = (
  cert: string,
) => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="${DS}" entityID="${MD_SP}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert.replace(/-----[^-]+-----|\s/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${MD_ACS}" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

let t: TestIdp;
let demoKey: KeyPair;
let mdKey: KeyPair;
let otherKey: KeyPair;

beforeAll(async () => {
  [demoKey, mdKey, otherKey] = await Promise.all([
    keyPair('demo-sp-enc'),
    keyPair('md-sp-enc'),
    keyPair('other'),
  ]);
  t = await startTestIdp({
    conf: {
      'demo-sp-encryption.crt': demoKey.certPem,
      'enc-md-sp.xml': metadata(mdKey.certPem),
      'relying-party.yaml': (old) =>
        old
          .replace(
            '    nameIDFormat: unspecified\n',
            '    nameIDFormat: unspecified\n    encryptionCertificate: demo-sp-encryption.crt\n',
          )
          .replace(
            '\noidcClients:',
            `\n  - entityID: "${MD_SP}"\n    assertionConsumerServiceURL: "${MD_ACS}"\n    metadataFile: enc-md-sp.xml\n\noidcClients:`,
          ),
    },
  });
});
afterAll(async () => t?.close());

const sp = (decryptionPvk?: string) => TestSp.create(t.baseURL, { decryptionPvk });

function parsed(page: Page): Document {
  return new DOMParser().parseFromString(responseXml(page), 'text/xml');
}

/** The wire form: one EncryptedAssertion, no Assertion, GCM data, an OAEP key, a message signature. */
function expectEncrypted(page: Page, secrets: readonly string[]): void {
  const doc = parsed(page);
  const response = doc.documentElement;
  const children = Array.from(response.childNodes).filter((n) => n.nodeType === 1) as Element[];
  expect(
    children.map((c) => `${c.namespaceURI === SAMLP ? 'samlp' : c.prefix}:${c.localName}`),
  ).toEqual(['saml:Issuer', 'ds:Signature', 'samlp:Status', 'saml:EncryptedAssertion']);
  expect(doc.getElementsByTagNameNS(SAML, 'Assertion')).toHaveLength(0);
  const methods = Array.from(doc.getElementsByTagNameNS(XENC, 'EncryptionMethod')).map((m) =>
    m.getAttribute('Algorithm'),
  );
  expect(methods).toEqual([AES256_GCM, RSA_OAEP]);
  const xml = responseXml(page);
  for (const secret of secrets) expect(xml).not.toContain(secret);
}

describe('encrypted assertions', () => {
  it('node-saml with the SP key verifies, decrypts and reads a normal sign-in', async () => {
    const demo = await sp(demoKey.privatePem);
    const post = await samlSignIn(new Browser(), demo, 'bob');
    expectEncrypted(post, ['>bob<', 'bob@example.org', OID.mail]);
    const profile = await demo.receive(post);
    expect(profile.nameID).toBe('bob');
    expect(attribute(profile, OID.mail)).toEqual(['bob@example.org']);
    const record = audits(t).at(-1)!;
    expect(record).toMatchObject({ act: 'release', u: 'bob', SP: DEMO_SP, XA: AES256_GCM });
  });

  it('under impersonation: the target in the encrypted assertion, nothing of either in clear', async () => {
    const demo = await sp(demoKey.privatePem);
    const b = new Browser();
    const post = await b.submit(
      await samlSignIn(b, demo, 'alice'),
      { principal: 'bob', level: 'impersonate' },
      '_eventId_impersonate',
    );
    expectEncrypted(post, ['>bob<', 'bob@example.org', '>alice<', 'alice@example.org']);
    const profile = await demo.receive(post);
    expect(profile.nameID).toBe('bob');
    expect(attribute(profile, OID.mail)).toEqual(['bob@example.org']);
    expect(audits(t).at(-1)!).toMatchObject({ u: 'bob', uu: 'alice', XA: AES256_GCM });
  });

  it('cannot be read by an SP without the key, or with another key', async () => {
    const keyless = await sp();
    const post = await samlSignIn(new Browser(), keyless, 'bob');
    await expect(keyless.receive(post)).rejects.toThrow(/No decryption key/);
    const wrong = await sp(otherKey.privatePem);
    const again = await samlSignIn(new Browser(), wrong, 'bob');
    await expect(wrong.receive(again)).rejects.toThrow(WRONG_KEY);
  });

  it("encrypts to the certificate of an SP's metadata (KeyDescriptor use=encryption)", async () => {
    const mdSp = await TestSp.create(t.baseURL, {
      entityID: MD_SP,
      acsURL: MD_ACS,
      decryptionPvk: mdKey.privatePem,
    });
    const post = await samlSignIn(new Browser(), mdSp, 'bob');
    expectEncrypted(post, ['>bob<']);
    expect((await mdSp.receive(post)).nameID).toBe('bob');
    const wrongKey = await TestSp.create(t.baseURL, {
      entityID: MD_SP,
      acsURL: MD_ACS,
      decryptionPvk: demoKey.privatePem,
    });
    await expect(
      wrongKey.receive(await samlSignIn(new Browser(), wrongKey, 'bob')),
    ).rejects.toThrow(WRONG_KEY);
  });
});
