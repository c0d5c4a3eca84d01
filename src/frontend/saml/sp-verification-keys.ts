/**
 * The public keys an SP's AuthnRequest signatures are checked with: those of the certificates in
 * its configuration, built once per SP. Keys sent in a message (KeyInfo) are never used.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { SamlServiceProvider } from '../../relying-party/relying-party.js';

const cache = new WeakMap<SamlServiceProvider, readonly KeyObject[]>();

export function verificationKeys(sp: SamlServiceProvider): readonly KeyObject[] {
  let keys = cache.get(sp);
  if (!keys) {
    keys = sp.signingCertificates.map((pem) => new X509Certificate(pem).publicKey);
    cache.set(sp, keys);
  }
  return keys;
}

/** Whether a key can check a signature of this kind (an RSA key never checks an ECDSA value). */
export function keyFits(key: KeyObject, kind: 'rsa' | 'ec'): boolean {
  return key.asymmetricKeyType === kind;
}
