/**
 * The metadata builder without HTTP: the minimal document (no Organization, contacts or
 * signature), valid against the OASIS metadata schema also with single logout endpoints and a
 * signature, and the served document
 * rebuilt — new ID, later validUntil — at most once a minute.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SigningCredential } from '../../../../src/credentials/signing-credential.js';
import {
  idpMetadataTree,
  type IdpMetadataInput,
} from '../../../../src/frontend/saml/metadata/idp-metadata.js';
import { SamlEntities } from '../../../../src/frontend/saml/saml-entities.js';
import { serialize } from '../../../../src/frontend/saml/xml/xml-tree.js';
import { metadataSchemaErrors } from '../../../support/metadata-schema.js';

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

const input: IdpMetadataInput = {
  entityID: 'https://idp.example.org/idp/shibboleth',
  singleSignOnServices: [{ binding: REDIRECT, location: 'https://idp.example.org/sso' }],
  nameIdFormats: [TRANSIENT],
  signingCertificates: ['MIIB'],
  scope: 'example.org',
  validityMs: 3600_000,
  cacheDurationMs: 90_500,
};

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement;
const childNames = (e: Element) =>
  Array.from(e.childNodes)
    .filter((n): n is Element => n.nodeType === 1)
    .map((c) => c.localName);

describe('idpMetadataTree', () => {
  it('writes only what is configured: no Organization, contacts, signature or SLO', () => {
    const now = new Date('2026-03-01T10:00:00.250Z');
    const xml = serialize(idpMetadataTree(input, now));
    expect(metadataSchemaErrors(xml)).toEqual([]);
    // The check is not vacuous: an element out of the schema's order is reported.
    const misplaced = xml.replace(
      '<md:Extensions>',
      `<md:NameIDFormat>${TRANSIENT}</md:NameIDFormat><md:Extensions>`,
    );
    expect(metadataSchemaErrors(misplaced).join()).toMatch(/Extensions.*not expected/);
    const root = parse(xml);
    expect(root.getAttribute('validUntil')).toBe('2026-03-01T11:00:00Z');
    expect(root.getAttribute('cacheDuration')).toBe('PT91S');
    expect(childNames(root)).toEqual(['IDPSSODescriptor']);
    expect(childNames(root.firstChild as Element)).toEqual([
      'Extensions',
      'KeyDescriptor',
      'NameIDFormat',
      'SingleSignOnService',
    ]);
    expect(serialize(idpMetadataTree(input, now))).not.toContain('refeds');
  });

  it('puts single logout endpoints where the schema orders them, after the keys', () => {
    const xml = serialize(
      idpMetadataTree({
        ...input,
        signingCertificates: ['MIIB', 'MIIC'],
        singleLogoutServices: [{ binding: POST, location: 'https://idp.example.org/slo' }],
        nameIdFormats: [],
      }),
    );
    expect(metadataSchemaErrors(xml)).toEqual([]);
    const root = parse(xml);
    expect(childNames(root.firstChild as Element)).toEqual([
      'Extensions',
      'KeyDescriptor',
      'KeyDescriptor',
      'SingleLogoutService',
      'SingleSignOnService',
    ]);
  });

  it('gives every document its own ID', () => {
    const ids = [1, 2].map((_) => parse(serialize(idpMetadataTree(input))).getAttribute('ID'));
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('SamlEntities.metadata', () => {
  let credential: SigningCredential;
  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'idp' }], {
      keySize: 2048,
      algorithm: 'sha256',
    });
    credential = {
      privateKey: pems.private,
      certificate: pems.cert,
      xml: {
        privateKey: createPrivateKey(pems.private),
        certificateBase64: new X509Certificate(pems.cert).raw.toString('base64'),
      },
    };
  });

  it('serves the same signed document for a minute, then a new one valid from then', async () => {
    let clock = Date.parse('2026-03-01T10:00:00Z');
    const entities = new SamlEntities(
      'https://idp.example.org/idp',
      'https://idp.example.org',
      credential,
      {
        scope: 'example.org',
        metadata: { validityMs: 3600_000, cacheDurationMs: 60_000, sign: true, contacts: [] },
        now: () => clock,
      },
    );
    const signed = await entities.metadata();
    expect(metadataSchemaErrors(signed)).toEqual([]);
    const first = parse(signed);
    expect(childNames(first)[0]).toBe('Signature');
    clock += 59_000;
    expect(parse(await entities.metadata()).getAttribute('ID')).toBe(first.getAttribute('ID'));
    clock += 1000;
    const later = parse(await entities.metadata());
    expect(later.getAttribute('ID')).not.toBe(first.getAttribute('ID'));
    expect(later.getAttribute('validUntil')).toBe('2026-03-01T11:01:00Z');
  });
});
