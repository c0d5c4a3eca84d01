/**
 * The IdP's own XML signing (src/frontend/saml/xml/) checked by an independent verifier,
 * xml-crypto: the assertion signature, the message signature over it, the error response,
 * hostile attribute values; and a changed byte anywhere in what was signed breaks it.
 * (node-saml, the test SP, checks the same signatures end to end in the integration tests.)
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../../src/attribute/attribute-resolver.js';
import {
  errorResponseXml,
  successResponseXml,
  type AssertionContent,
} from '../../../src/frontend/saml/saml-response.js';
import type { XmlSigningKey } from '../../../src/credentials/signing-credential.js';

const DS = 'http://www.w3.org/2000/09/xmldsig#';

interface TestKey {
  readonly signing: XmlSigningKey;
  readonly certificatePem: string;
}

async function rsaKey(): Promise<TestKey> {
  const pems = await generate([{ name: 'commonName', value: 'idp.test' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  return {
    signing: {
      privateKey: createPrivateKey(pems.private),
      certificateBase64: new X509Certificate(pems.cert).raw.toString('base64'),
    },
    certificatePem: pems.cert,
  };
}

function ecKey(): { signing: XmlSigningKey } {
  return {
    signing: {
      privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      certificateBase64: 'AA==',
    },
  };
}

const definition = (id: string, name: string): AttributeDefinition =>
  ({
    id,
    saml2: {
      name,
      nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
      friendlyName: id,
    },
  }) as AttributeDefinition;

function content(values: readonly string[]): AssertionContent {
  return {
    responseId: '_response',
    assertionId: '_assertion',
    issuer: 'https://idp.test/idp/shibboleth',
    destination: 'https://sp.test/acs?a=1&b=2',
    audience: 'https://sp.test/shibboleth',
    inResponseTo: '_request',
    nameId: 'alice',
    nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    authnInstant: Date.UTC(2026, 10, 30, 12),
    authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
    sessionIndex: '_session',
    attributes: [
      { definition: definition('displayName', 'urn:oid:2.16.840.1.113730.3.1.241'), values },
      {
        definition: definition('mail', 'urn:oid:0.9.2342.19200300.100.1.3'),
        values: ['alice@example.org'],
      },
    ],
    now: Date.UTC(2026, 10, 30, 12, 1),
  };
}

function all(doc: Document, ns: string, local: string): Element[] {
  const list = doc.getElementsByTagNameNS(ns, local);
  return Array.from({ length: list.length }, (_, i) => list.item(i)!);
}

/** xml-crypto's verdict on the signature that is a child of the element with this ID. */
function verify(xml: string, id: string, key: string): boolean {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const owner = all(doc, '*', '*').find((e) => e.getAttribute('ID') === id)!;
  let signature: Element | undefined;
  for (let n = owner.firstChild; n; n = n.nextSibling)
    if (
      n.nodeType === 1 &&
      (n as Element).localName === 'Signature' &&
      (n as Element).namespaceURI === DS
    )
      signature = n as Element;
  if (!signature) return false;
  const verifier = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
  verifier.loadSignature(signature);
  try {
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

const HOSTILE = [
  'Ann & "Bob" <x>',
  'tab\tnew\nline\r',
  '𝔄𝔩𝔦𝔠𝔢',
  ']]></saml:AttributeValue>',
  "O'Brien",
];

let rsa: TestKey;
beforeAll(async () => {
  rsa = await rsaKey();
});

describe('signed SAML responses', () => {
  it('carry an assertion signature and a message signature over it that xml-crypto accepts', async () => {
    const xml = await successResponseXml(
      content(HOSTILE),
      { assertion: true, response: true },
      rsa.signing,
    );
    expect(verify(xml, '_assertion', rsa.certificatePem)).toBe(true);
    expect(verify(xml, '_response', rsa.certificatePem)).toBe(true);
    // The values arrive exactly as resolved.
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const values = all(doc, 'urn:oasis:names:tc:SAML:2.0:assertion', 'AttributeValue').map(
      (v) => v.textContent,
    );
    expect(values).toEqual([...HOSTILE, 'alice@example.org']);
  });

  it('signs only what the service provider asks for', async () => {
    const assertionOnly = await successResponseXml(
      content(['x']),
      { assertion: true, response: false },
      rsa.signing,
    );
    expect(verify(assertionOnly, '_assertion', rsa.certificatePem)).toBe(true);
    expect(verify(assertionOnly, '_response', rsa.certificatePem)).toBe(false);
    const messageOnly = await successResponseXml(
      content(['x']),
      { assertion: false, response: true },
      rsa.signing,
    );
    expect(verify(messageOnly, '_assertion', rsa.certificatePem)).toBe(false);
    expect(verify(messageOnly, '_response', rsa.certificatePem)).toBe(true);
  });

  it('signs error responses as messages', async () => {
    const xml = await errorResponseXml(
      {
        responseId: '_error',
        issuer: 'https://idp.test',
        destination: 'https://sp.test/acs',
        inResponseTo: '_r',
        status: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
        subStatus: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
        message: 'Sign-in <needed> & "more"',
        now: Date.now(),
      },
      rsa.signing,
    );
    expect(verify(xml, '_error', rsa.certificatePem)).toBe(true);
  });

  it('refuses a key that is not RSA', async () => {
    await expect(
      successResponseXml(content(['x']), { assertion: true, response: true }, ecKey().signing),
    ).rejects.toThrow(/RSA/);
  });

  it('breaks when a signed byte changes', async () => {
    const xml = await successResponseXml(
      content(['Alice']),
      { assertion: true, response: true },
      rsa.signing,
    );
    for (const [from, to] of [
      ['>alice<', '>admin<'],
      ['>Alice<', '>Alicf<'],
      ['InResponseTo="_request"', 'InResponseTo="_other"'],
    ] as const) {
      const tampered = xml.replace(from, to);
      expect(tampered).not.toBe(xml);
      expect(verify(tampered, '_response', rsa.certificatePem), `${from} → ${to}`).toBe(false);
    }
    expect(verify(xml.replace('>alice<', '>admin<'), '_assertion', rsa.certificatePem)).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(verify(xml, '_assertion', other)).toBe(false);
  });
});

describe('a delegated assertion (impersonation level delegate)', () => {
  const DEL = 'urn:oasis:names:tc:SAML:2.0:conditions:delegation';
  const delegated = (actor: string): AssertionContent => ({
    ...content(['x']),
    delegate: { actor, instant: Date.UTC(2026, 10, 30, 12, 0, 30) },
  });

  it('names the actor in a Delegation Restriction condition that both signatures cover', async () => {
    const actor = 'Ann & "Bob" <x>';
    const xml = await successResponseXml(
      delegated(actor),
      { assertion: true, response: true },
      rsa.signing,
    );
    expect(verify(xml, '_assertion', rsa.certificatePem)).toBe(true);
    expect(verify(xml, '_response', rsa.certificatePem)).toBe(true);
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const [delegate] = all(doc, DEL, 'Delegate');
    expect(delegate?.getAttribute('DelegationInstant')).toBe('2026-11-30T12:00:30Z');
    expect(delegate?.parentNode?.lookupNamespaceURI('del')).toBe(DEL);
    expect(delegate?.textContent).toBe(actor);
    const tampered = xml.replace('Ann &amp;', 'Bob &amp;');
    expect(tampered).not.toBe(xml);
    expect(verify(tampered, '_assertion', rsa.certificatePem)).toBe(false);
  });

  it('is absent without a delegate', async () => {
    const xml = await successResponseXml(
      content(['x']),
      { assertion: true, response: true },
      rsa.signing,
    );
    expect(xml).not.toContain(DEL);
    expect(xml).not.toContain('saml:Condition ');
  });
});
