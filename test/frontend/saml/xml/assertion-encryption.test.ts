/**
 * Assertion encryption (src/frontend/saml/xml/assertion-encryption.ts) read back by node-saml's own
 * decryptor (its lib/xml decryptXml, i.e. the xml-encryption package): AES-256-GCM data, the key
 * RSA-OAEP-wrapped to the SP's certificate; the assertion signature verifies after decryption and
 * the message signature covers the EncryptedAssertion (xml-crypto); nothing of the assertion is
 * left in clear; the Response stays schema-valid. And the measurement behind the key transport
 * choice: node-saml cannot read xmlenc11#rsa-oaep.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { decryptXml } from '@node-saml/node-saml/lib/xml.js';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { XmlDocument } from 'libxml2-wasm';
import { SignedXml } from 'xml-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../../../src/attribute/attribute-resolver.js';
import type { XmlSigningKey } from '../../../../src/credentials/signing-credential.js';
import { validateSamlSchema } from '../../../../src/frontend/saml/schema-validator.js';
import {
  successResponseXml,
  type AssertionContent,
} from '../../../../src/frontend/saml/saml-response.js';
import { keyPair, type KeyPair } from '../../../support/key-pair.js';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XENC = 'http://www.w3.org/2001/04/xmlenc#';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SP = 'https://sp.test/shibboleth';

let idp: KeyPair;
let spKey: KeyPair;
let otherKey: KeyPair;
let signing: XmlSigningKey;
beforeAll(async () => {
  [idp, spKey, otherKey] = await Promise.all([keyPair('idp'), keyPair('sp'), keyPair('other')]);
  signing = {
    privateKey: createPrivateKey(idp.privatePem),
    certificateBase64: new X509Certificate(idp.certPem).raw.toString('base64'),
  };
});

const definition = (id: string, name: string): AttributeDefinition =>
  ({
    id,
    saml2: { name, nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri' },
  }) as AttributeDefinition;

const content: AssertionContent = {
  responseId: '_response',
  assertionId: '_assertion',
  issuer: 'https://idp.test/idp/shibboleth',
  destination: 'https://sp.test/acs',
  audience: SP,
  inResponseTo: '_request',
  nameId: 'alice-secret-name',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  authnInstant: Date.now(),
  authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  sessionIndex: '_session',
  delegate: { actor: 'the-actor', instant: Date.now() },
  attributes: [
    {
      definition: definition('mail', 'urn:oid:0.9.2342.19200300.100.1.3'),
      values: ['alice@example.org', 'Ann & "Bob" <x> 𝔄'],
    },
  ],
  now: Date.now(),
};

function encrypted(signResponse = true): Promise<string> {
  return successResponseXml(content, { assertion: true, response: signResponse }, signing, {
    entityID: SP,
    certificate: spKey.certPem,
  });
}

/** xml-crypto's verdict on the signature child of the element with this ID. */
function verify(xml: string, id: string): boolean {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const owner = Array.from(doc.getElementsByTagNameNS('*', '*')).find(
    (e) => e.getAttribute('ID') === id,
  )!;
  const signature = Array.from(owner.childNodes).find(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === DS,
  );
  if (!signature) return false;
  const verifier = new SignedXml({ publicCert: idp.certPem, getCertFromKeyInfo: () => null });
  verifier.loadSignature(signature);
  try {
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

/** The EncryptedAssertion element's text, as node-saml hands it to its decryptor. */
function encryptedAssertion(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return new XMLSerializer().serializeToString(
    doc.getElementsByTagNameNS(SAML, 'EncryptedAssertion')[0]!,
  );
}

describe('assertion encryption', () => {
  it('replaces the assertion by AES-256-GCM data and an RSA-OAEP key for the SP, nothing in clear', async () => {
    const xml = await encrypted();
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    expect(doc.getElementsByTagNameNS(SAML, 'Assertion')).toHaveLength(0);
    const methods = Array.from(doc.getElementsByTagNameNS(XENC, 'EncryptionMethod')).map((m) =>
      m.getAttribute('Algorithm'),
    );
    expect(methods).toEqual([
      'http://www.w3.org/2009/xmlenc11#aes256-gcm',
      'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    ]);
    expect(doc.getElementsByTagNameNS(XENC, 'EncryptedKey')[0]!.getAttribute('Recipient')).toBe(SP);
    for (const secret of ['alice-secret-name', 'alice@example.org', 'the-actor', 'Bob', 'mail'])
      expect(xml).not.toContain(secret);
    const parsed = XmlDocument.fromString(xml);
    try {
      validateSamlSchema(parsed);
    } finally {
      parsed.dispose();
    }
  });

  it('is decrypted by node-saml with the SP key; the assertion signature then verifies', async () => {
    const xml = await encrypted();
    expect(verify(xml, '_response')).toBe(true);
    const assertion = await decryptXml(encryptedAssertion(xml), spKey.privatePem);
    expect(assertion).toMatch(/^<saml:Assertion /);
    expect(assertion).toContain('>alice-secret-name<');
    expect(assertion).toContain('>Ann &amp; "Bob" &lt;x&gt; 𝔄<');
    expect(verify(assertion, '_assertion')).toBe(true);
  });

  it('signs the message over the EncryptedAssertion: changing the ciphertext breaks it', async () => {
    const xml = await encrypted();
    const cipherValue = /(<xenc:CipherValue>)([^<]{8})/g;
    const values = [...xml.matchAll(cipherValue)];
    const last = values.at(-1)!;
    const flipped = last[2]!.startsWith('A') ? `B${last[2]!.slice(1)}` : `A${last[2]!.slice(1)}`;
    const tampered =
      xml.slice(0, last.index + last[1]!.length) + flipped + xml.slice(last.index + last[0].length);
    expect(verify(tampered, '_response')).toBe(false);
    // And AES-GCM itself refuses the changed data (unsigned message).
    const unsigned = await encrypted(false);
    const u = [...unsigned.matchAll(cipherValue)].at(-1)!;
    const uFlipped = u[2]!.startsWith('A') ? `B${u[2]!.slice(1)}` : `A${u[2]!.slice(1)}`;
    const broken =
      unsigned.slice(0, u.index + u[1]!.length) + uFlipped + unsigned.slice(u.index + u[0].length);
    await expect(decryptXml(encryptedAssertion(broken), spKey.privatePem)).rejects.toThrow();
  });

  it('cannot be read with another key', async () => {
    const xml = await encrypted();
    await expect(decryptXml(encryptedAssertion(xml), otherKey.privatePem)).rejects.toThrow();
  });

  it('uses a fresh content key each time', async () => {
    const values = async () =>
      [...(await encrypted()).matchAll(/<xenc:CipherValue>([^<]+)</g)].map((m) => m[1]);
    const [a, b] = [await values(), await values()];
    expect(a[0]).not.toBe(b[0]);
    expect(a[1]).not.toBe(b[1]);
  });

  it('measured: node-saml does not read xmlenc11#rsa-oaep key transport (why mgf1p is used)', async () => {
    const xml = (await encrypted()).replace(
      'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      'http://www.w3.org/2009/xmlenc11#rsa-oaep',
    );
    await expect(decryptXml(encryptedAssertion(xml), spKey.privatePem)).rejects.toThrow(
      /key encryption algorithm .* not supported/,
    );
  });
});
