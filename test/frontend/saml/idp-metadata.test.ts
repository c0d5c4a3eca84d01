/**
 * The IdP's metadata as served at /idp/shibboleth, fully configured: signed (xml-crypto verifies
 * it against the current certificate, by the root's ID), shibmd:Scope, validUntil/cacheDuration,
 * Organization and contacts, and a key rollover — the next certificate published beside the
 * current one, which alone signs (a node-saml SP trusting only the next one refuses the response).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchIdpMetadata } from '../../../src/demo/idp-metadata.js';
import { Browser } from '../../support/browser.js';
import { metadataSchemaErrors } from '../../support/metadata-schema.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { signInThrough, TestSp } from '../../support/test-sp.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SHIBMD = 'urn:mace:shibboleth:metadata:1.0';

let t: TestIdp;
let dir: string;
let currentCert: string;
let nextCert: string;

const base64Of = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'idp-next-key-'));
  const next = await generate([{ name: 'commonName', value: 'next' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  writeFileSync(path.join(dir, 'next.key'), next.private);
  writeFileSync(path.join(dir, 'next.crt'), next.cert);
  nextCert = base64Of(next.cert);
  t = await startTestIdp({
    properties: {
      'idp.scope': 'uni.example.org',
      'idp.metadata.sign': 'true',
      'idp.signing.next.key': path.join(dir, 'next.key'),
      'idp.signing.next.cert': path.join(dir, 'next.crt'),
      'idp.metadata.organization.name': 'Example & Co <University>',
      'idp.metadata.organization.url': 'https://www.example.org/',
      'idp.metadata.contact.technical': 'idp-admin@example.org',
      'idp.metadata.contact.security': 'mailto:cert@example.org',
    },
  });
  currentCert = base64Of(readFileSync(t.idp.config.properties.signing.cert, 'utf8'));
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function served(): Promise<{ xml: string; root: Element }> {
  const res = await fetch(`${t.baseURL}/idp/shibboleth`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/samlmetadata+xml');
  const xml = await res.text();
  return { xml, root: new DOMParser().parseFromString(xml, 'text/xml').documentElement };
}

const children = (e: Element, ns: string, local: string) =>
  Array.from(e.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local,
  );

describe('the served metadata', () => {
  it('is signed by the current key over the root, by its ID', async () => {
    const { xml, root } = await served();
    const [signature] = children(root, DS, 'Signature');
    expect(signature).toBeDefined();
    expect(root.firstChild).toBe(signature); // the schema puts it first
    const id = root.getAttribute('ID')!;
    expect(id).toMatch(/^_[0-9a-f]{40}$/);
    const reference = signature!.getElementsByTagNameNS(DS, 'Reference')[0]!;
    expect(reference.getAttribute('URI')).toBe(`#${id}`);

    const verify = (document: string, cert: string) => {
      const pem = `-----BEGIN CERTIFICATE-----\n${cert}\n-----END CERTIFICATE-----\n`;
      const verifier = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
      verifier.loadSignature(signature!);
      try {
        return verifier.checkSignature(document);
      } catch {
        return false;
      }
    };
    expect(verify(xml, currentCert)).toBe(true);
    expect(verify(xml, nextCert)).toBe(false);
    // A changed byte breaks it: the signature covers the document.
    expect(verify(xml.replace('uni.example.org', 'evil.example.org'), currentCert)).toBe(false);
  });

  it('publishes the current and the next signing certificate, current first', async () => {
    const { root } = await served();
    const [sso] = children(root, MD, 'IDPSSODescriptor');
    const keys = children(sso!, MD, 'KeyDescriptor');
    expect(keys.map((k) => k.getAttribute('use'))).toEqual(['signing', 'signing']);
    expect(
      keys.map((k) => k.getElementsByTagNameNS(DS, 'X509Certificate')[0]!.textContent),
    ).toEqual([currentCert, nextCert]);
    expect(sso!.getAttribute('protocolSupportEnumeration')).toBe(
      'urn:oasis:names:tc:SAML:2.0:protocol',
    );
  });

  it('carries shibmd:Scope from idp.scope, validUntil ahead by idp.metadata.validity and cacheDuration', async () => {
    const { root } = await served();
    const [sso] = children(root, MD, 'IDPSSODescriptor');
    const [extensions] = children(sso!, MD, 'Extensions');
    const [scope] = children(extensions!, SHIBMD, 'Scope');
    expect(scope!.getAttribute('regexp')).toBe('false');
    expect(scope!.textContent).toBe('uni.example.org');
    const validUntil = Date.parse(root.getAttribute('validUntil')!);
    const week = 7 * 24 * 3600_000;
    // Rebuilt at most once a minute: validUntil is within a minute of now + P7D.
    expect(validUntil).toBeGreaterThan(Date.now() + week - 61_000);
    expect(validUntil).toBeLessThanOrEqual(Date.now() + week + 1000);
    expect(root.getAttribute('cacheDuration')).toBe('PT3600S');
  });

  it('names the organization (escaped) and the contacts, security as REFEDS asks', async () => {
    const { xml, root } = await served();
    expect(metadataSchemaErrors(xml)).toEqual([]);
    expect(xml).toContain('Example &amp; Co &lt;University&gt;');
    const [org] = children(root, MD, 'Organization');
    expect(children(org!, MD, 'OrganizationName')[0]!.textContent).toBe(
      'Example & Co <University>',
    );
    expect(children(org!, MD, 'OrganizationDisplayName')[0]!.textContent).toBe(
      'Example & Co <University>',
    );
    expect(children(org!, MD, 'OrganizationURL')[0]!.getAttribute('xml:lang')).toBe('en');
    const contacts = children(root, MD, 'ContactPerson').map((c) => ({
      type: c.getAttribute('contactType'),
      refeds: c.getAttributeNS('http://refeds.org/metadata', 'contactType'),
      email: children(c, MD, 'EmailAddress')[0]!.textContent,
    }));
    expect(contacts).toEqual([
      { type: 'technical', refeds: '', email: 'mailto:idp-admin@example.org' },
      {
        type: 'other',
        refeds: 'http://refeds.org/metadata/contactType/security',
        email: 'mailto:cert@example.org',
      },
    ]);
  });

  it('gives the demo fetcher both certificates, the current one as the signing one', async () => {
    const md = await fetchIdpMetadata(`${t.baseURL}/idp/shibboleth`);
    expect(md.certificate).toBe(currentCert);
    expect(md.certificates).toEqual([currentCert, nextCert]);
  });
});

describe('key rollover', () => {
  it('signs responses with the current key: an SP trusting only the next certificate refuses them', async () => {
    const only = async (idpCert: string[]) => {
      const sp = await TestSp.create(t.baseURL, { idpCert });
      return sp.validate(await signInThrough(sp, new Browser(), 'dave'));
    };
    await expect(only([nextCert])).rejects.toThrow(/signature/i);
    await expect(only([currentCert, nextCert])).resolves.toMatchObject({
      profile: { nameID: 'dave' },
    });
  });
});
