/**
 * relying-party.yaml, per SAML SP: whether its assertions are encrypted, and to which certificate.
 * `encryptionCertificate` (PEM file) comes before the metadata's encryption (or unmarked)
 * KeyDescriptors; the first certificate is used. `encryptAssertions` defaults to true whenever
 * there is a certificate (Shibboleth's default). Settings that cannot work fail at start-up:
 * encryption asked for without a certificate, or a certificate whose key is not RSA of at least
 * 2048 bits (key transport is RSA-OAEP: src/frontend/saml/xml/assertion-encryption.ts).
 */
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { ConfNode } from '../core/yaml-conf.js';
import { readPem } from './conf-files.js';

export const ENCRYPTION_KEYS = ['encryptionCertificate', 'encryptAssertions'] as const;

const MIN_RSA_BITS = 2048;

export function assertionEncryption(
  sp: ConfNode,
  confDir: string,
  fromMetadata: readonly string[],
): { encryptionCertificates: string[]; encryptAssertions: boolean } {
  const file = sp.optionalString('encryptionCertificate');
  const own = file ? [readPem(sp, 'encryptionCertificate', path.resolve(confDir, file))] : [];
  const encryptionCertificates = [...new Set([...own, ...fromMetadata])];
  const encryptAssertions = sp.boolean('encryptAssertions', encryptionCertificates.length > 0);
  if (encryptAssertions && encryptionCertificates.length === 0)
    sp.fail(
      'assertions cannot be encrypted: the SP has no encryption certificate (encryptionCertificate, or an encryption KeyDescriptor in metadataFile)',
      'encryptAssertions',
    );
  if (encryptAssertions) {
    const problem = unusable(encryptionCertificates[0]!);
    if (problem)
      sp.fail(
        `${problem}; assertions are encrypted with RSA-OAEP (set encryptAssertions: false to send them unencrypted)`,
        own.length > 0
          ? 'encryptionCertificate'
          : sp.has('metadataFile')
            ? 'metadataFile'
            : 'entityID',
      );
  }
  return { encryptionCertificates, encryptAssertions };
}

/** Why the certificate's key cannot receive an RSA-OAEP-wrapped key, or undefined when it can. */
function unusable(pem: string): string | undefined {
  const key = new X509Certificate(pem).publicKey;
  if (key.asymmetricKeyType !== 'rsa')
    return `the encryption certificate's key is ${(key.asymmetricKeyType ?? 'unknown').toUpperCase()}, not RSA`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    return `the encryption certificate's RSA key has ${bits} bits, fewer than ${MIN_RSA_BITS}`;
  return undefined;
}
