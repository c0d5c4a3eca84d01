/**
 * What the IdP takes from an SP's metadata file: its entityID, the certificates of its
 * SPSSODescriptor's signing (or unmarked) and encryption (or unmarked) KeyDescriptors, whether it
 * signs AuthnRequests and the impersonation level it declares (an entity attribute) — and nothing from a file that is not well-formed, has a DTD,
 * describes another entity or has no SP role.
 */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_IMPERSONATION_LEVEL_ATTRIBUTE,
  spMetadataKeys,
  toPem,
} from '../../src/relying-party/sp-metadata.js';

const SP = 'https://sp.example.org/shibboleth';
let certA: string;
let certB: string;

const der = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
const keyDescriptor = (cert: string, use?: string) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n  ${der(cert)}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const metadata = (sp: string, options: { entityID?: string; signed?: string } = {}) =>
  `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${options.entityID ?? SP}">
  <md:SPSSODescriptor ${options.signed === undefined ? '' : `AuthnRequestsSigned="${options.signed}" `}protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${sp}
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.org/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

const subjectOf = (pem: string) => new X509Certificate(pem).subject;

beforeAll(async () => {
  // EC keys: quick to make, and any certificate will do here.
  const make = async (cn: string) =>
    (await generate([{ name: 'commonName', value: cn }], { keyType: 'ec', algorithm: 'sha256' }))
      .cert;
  [certA, certB] = await Promise.all([make('sp-a'), make('sp-b')]);
});

describe('spMetadataKeys', () => {
  it('takes the signing and the unmarked certificates, as PEM, not the encryption ones', () => {
    const keys = spMetadataKeys(
      metadata(
        `${keyDescriptor(certA, 'signing')}${keyDescriptor(certB)}${keyDescriptor(certA, 'encryption')}`,
      ),
      SP,
    );
    expect(keys.signingCertificates.map(subjectOf)).toEqual(['CN=sp-a', 'CN=sp-b']);
    expect(keys.signingCertificates[0]).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(keys.authnRequestsSigned).toBe(false);
  });

  it('takes the unmarked and the encryption certificates to encrypt for, not the signing ones', () => {
    const keys = spMetadataKeys(
      metadata(
        `${keyDescriptor(certA, 'signing')}${keyDescriptor(certB)}${keyDescriptor(certA, 'encryption')}`,
      ),
      SP,
    );
    expect(keys.encryptionCertificates.map(subjectOf)).toEqual(['CN=sp-b', 'CN=sp-a']);
  });

  it('gives the entityID it describes, and checks it only when one is expected', () => {
    expect(spMetadataKeys(metadata(''), SP).entityID).toBe(SP);
    expect(spMetadataKeys(metadata('', { entityID: 'https://x.example.org/sp' })).entityID).toBe(
      'https://x.example.org/sp',
    );
    expect(() => spMetadataKeys(metadata('', { entityID: ' ' }))).toThrow('has no entityID');
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['yes', false],
  ])('reads AuthnRequestsSigned="%s" as %s', (value, signed) => {
    expect(
      spMetadataKeys(metadata(keyDescriptor(certA), { signed: value }), SP).authnRequestsSigned,
    ).toBe(signed);
  });

  it('gives no certificates for an SP without KeyDescriptors', () => {
    expect(spMetadataKeys(metadata(''), SP)).toMatchObject({
      signingCertificates: [],
      encryptionCertificates: [],
      authnRequestsSigned: false,
    });
  });

  it("reads the max-impersonation-level entity attribute from the EntityDescriptor's Extensions only", () => {
    const attr = (value: string) =>
      `<mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Attribute Name="${MAX_IMPERSONATION_LEVEL_ATTRIBUTE}"><saml:AttributeValue>${value}</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes>`;
    const atEntity = metadata('').replace(
      '  <md:SPSSODescriptor',
      `  <md:Extensions>${attr(' identify ')}</md:Extensions>\n  <md:SPSSODescriptor`,
    );
    expect(spMetadataKeys(atEntity, SP).maxImpersonationLevel).toBe('identify');
    // Unchecked here: the loader checks the value and names the metadataFile key.
    const odd = atEntity.replace('> identify <', '>root<');
    expect(spMetadataKeys(odd, SP).maxImpersonationLevel).toBe('root');
    // In the role's Extensions (not where MDAttr puts entity attributes), it is not the entity's.
    const inRole = metadata(`<md:Extensions>${attr('identify')}</md:Extensions>`);
    expect(spMetadataKeys(inRole, SP).maxImpersonationLevel).toBeUndefined();
  });

  it('ignores keys outside the SPSSODescriptor (an IdP role of the same entity)', () => {
    const xml = metadata(keyDescriptor(certA)).replace(
      '</md:EntityDescriptor>',
      `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keyDescriptor(certB, 'signing')}</md:IDPSSODescriptor></md:EntityDescriptor>`,
    );
    expect(spMetadataKeys(xml, SP).signingCertificates.map(subjectOf)).toEqual(['CN=sp-a']);
  });

  it('refuses metadata with a DTD', () => {
    const xml = metadata(keyDescriptor(certA)).replace(
      '<?xml version="1.0"?>',
      '<?xml version="1.0"?>\n<!DOCTYPE md:EntityDescriptor [<!ENTITY x "y">]>',
    );
    expect(() => spMetadataKeys(xml, SP)).toThrow('contains a DTD');
  });

  it('refuses XML that is not well-formed', () => {
    expect(() =>
      spMetadataKeys(
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><unclosed>',
        SP,
      ),
    ).toThrow(/^is not well-formed XML/);
  });

  it('refuses a document that is not a SAML 2.0 EntityDescriptor', () => {
    expect(() => spMetadataKeys(`<EntityDescriptor entityID="${SP}"/>`, SP)).toThrow(
      'is not a SAML 2.0 EntityDescriptor',
    );
    expect(() =>
      spMetadataKeys(
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>',
        SP,
      ),
    ).toThrow('is not a SAML 2.0 EntityDescriptor');
  });

  it('refuses metadata of another entity, naming both', () => {
    expect(() =>
      spMetadataKeys(
        metadata(keyDescriptor(certA), { entityID: 'https://evil.example.org/sp' }),
        SP,
      ),
    ).toThrow(`describes "https://evil.example.org/sp", not "${SP}"`);
  });

  it('refuses metadata without an SP role', () => {
    const xml = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${SP}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`;
    expect(() => spMetadataKeys(xml, SP)).toThrow('has no SPSSODescriptor');
  });

  it('refuses a KeyDescriptor whose certificate cannot be read', () => {
    const xml = metadata(
      '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>',
    );
    expect(() => spMetadataKeys(xml, SP)).toThrow(/^holds a certificate that cannot be read/);
  });
});

describe('toPem', () => {
  it('turns base64 DER, with line breaks and indentation, into the same certificate as PEM', () => {
    const spaced = der(certA).replace(/(.{64})/g, '$1\n    ');
    const pem = toPem(spaced);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(new X509Certificate(pem).fingerprint256).toBe(new X509Certificate(certA).fingerprint256);
  });

  it('takes a PEM certificate as it is', () => {
    expect(new X509Certificate(toPem(certB)).fingerprint256).toBe(
      new X509Certificate(certB).fingerprint256,
    );
  });

  it.each([
    ['garbage', 'not a certificate'],
    ['a broken PEM', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
    ['nothing', ''],
  ])('refuses %s', (_what, text) => {
    expect(() => toPem(text)).toThrow(/^holds a certificate that cannot be read \(.+\)$/);
  });
});
