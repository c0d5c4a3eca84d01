/**
 * relying-party.yaml's assertion encryption keys per SAML SP (src/config/saml-sp-encryption-conf.ts):
 * where the certificate comes from (encryptionCertificate first, then the metadata's encryption or
 * unmarked KeyDescriptors), the default (encrypt whenever there is one), and the start-up errors,
 * with file, line and key, for settings that could never work.
 */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SamlServiceProvider } from '../../src/relying-party/relying-party.js';
import { confWithRps, lineOf, loadFailure, loadRp } from '../support/rp-conf.js';

const SP = 'https://enc.example.org/shibboleth';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

let rsaA: string;
let rsaB: string;
let ec: string;
let rsa1024: string;

beforeAll(async () => {
  const make = async (cn: string, options: Parameters<typeof generate>[1]) =>
    (await generate([{ name: 'commonName', value: cn }], options)).cert;
  [rsaA, rsaB, ec, rsa1024] = await Promise.all([
    make('rsa-a', { keySize: 2048, algorithm: 'sha256' }),
    make('rsa-b', { keySize: 2048, algorithm: 'sha256' }),
    make('ec', { keyType: 'ec', algorithm: 'sha256' }),
    make('rsa-1024', { keySize: 1024, algorithm: 'sha256' }),
  ]);
});

const keyDescriptor = (cert: string, use?: string) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert.replace(/-----[^-]+-----|\s/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const metadata = (keys: string) =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="${DS}" entityID="${SP}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://enc.example.org/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

function conf(yaml: string, files: Record<string, string> = {}): string {
  return confWithRps({
    saml: `  - entityID: ${SP}\n    assertionConsumerServiceURL: https://enc.example.org/acs\n${yaml}`,
    files,
  });
}

const loaded = (dir: string) => loadRp(dir, SP) as SamlServiceProvider;
const subjects = (sp: SamlServiceProvider) =>
  sp.encryptionCertificates.map((c) => new X509Certificate(c).subject);

describe('assertion encryption settings', () => {
  it('encrypts by default to encryptionCertificate, and not without a certificate', () => {
    const sp = loaded(conf('    encryptionCertificate: enc.crt', { 'enc.crt': rsaA }));
    expect(subjects(sp)).toEqual(['CN=rsa-a']);
    expect(sp.encryptAssertions).toBe(true);
    const plain = loaded(conf(''));
    expect(plain.encryptionCertificates).toEqual([]);
    expect(plain.encryptAssertions).toBe(false);
    expect(
      (loadRp(conf(''), 'https://sp.demo.example.org/shibboleth') as SamlServiceProvider)
        .encryptAssertions,
    ).toBe(false);
  });

  it('takes the encryption and unmarked KeyDescriptors of the metadata, after encryptionCertificate', () => {
    const md = metadata(`${keyDescriptor(ec, 'signing')}${keyDescriptor(rsaB, 'encryption')}`);
    const sp = loaded(
      conf('    metadataFile: md.xml\n    encryptionCertificate: enc.crt', {
        'md.xml': md,
        'enc.crt': rsaA,
      }),
    );
    expect(subjects(sp)).toEqual(['CN=rsa-a', 'CN=rsa-b']);
    const unmarked = loaded(
      conf('    metadataFile: md.xml', { 'md.xml': metadata(keyDescriptor(rsaB)) }),
    );
    expect(subjects(unmarked)).toEqual(['CN=rsa-b']);
    expect(unmarked.encryptAssertions).toBe(true);
    const signingOnly = loaded(
      conf('    metadataFile: md.xml', { 'md.xml': metadata(keyDescriptor(rsaB, 'signing')) }),
    );
    expect(signingOnly.encryptionCertificates).toEqual([]);
    expect(signingOnly.encryptAssertions).toBe(false);
  });

  it('encryptAssertions: false keeps the certificate but sends assertions in clear', () => {
    const sp = loaded(
      conf('    encryptionCertificate: enc.crt\n    encryptAssertions: false', { 'enc.crt': rsaA }),
    );
    expect(sp.encryptionCertificates).toHaveLength(1);
    expect(sp.encryptAssertions).toBe(false);
    // An unusable (EC) key is then no error either.
    expect(
      loaded(
        conf('    encryptionCertificate: enc.crt\n    encryptAssertions: false', { 'enc.crt': ec }),
      ).encryptAssertions,
    ).toBe(false);
  });

  it.each([
    [
      'encryptAssertions: true without a certificate',
      '    encryptAssertions: true',
      () => ({}),
      'encryptAssertions: true',
      'samlServiceProviders[1].encryptAssertions: assertions cannot be encrypted: the SP has no encryption certificate',
    ],
    [
      'an EC encryption certificate',
      '    encryptionCertificate: enc.crt',
      () => ({ 'enc.crt': ec }),
      'encryptionCertificate: enc.crt',
      "samlServiceProviders[1].encryptionCertificate: the encryption certificate's key is EC, not RSA; assertions are encrypted with RSA-OAEP (set encryptAssertions: false to send them unencrypted)",
    ],
    [
      'an RSA key under 2048 bits',
      '    encryptionCertificate: enc.crt',
      () => ({ 'enc.crt': rsa1024 }),
      'encryptionCertificate: enc.crt',
      "samlServiceProviders[1].encryptionCertificate: the encryption certificate's RSA key has 1024 bits, fewer than 2048",
    ],
    [
      'an unmarked EC key in the metadata',
      '    metadataFile: md.xml',
      () => ({ 'md.xml': metadata(keyDescriptor(ec)) }),
      'metadataFile: md.xml',
      "samlServiceProviders[1].metadataFile: the encryption certificate's key is EC, not RSA",
    ],
    [
      'a file that is no certificate',
      '    encryptionCertificate: enc.crt',
      () => ({ 'enc.crt': 'not a certificate' }),
      'encryptionCertificate: enc.crt',
      'samlServiceProviders[1].encryptionCertificate: is not a PEM certificate',
    ],
  ] as [string, string, () => Record<string, string>, string, string][])(
    'fails at start-up on %s, naming file, line and key',
    (_what, yaml, files, needle, message) => {
      const dir = conf(yaml, files());
      expect(loadFailure(dir)).toContain(
        `conf/relying-party.yaml:${lineOf(dir, needle)}: ${message}`,
      );
    },
  );
});
