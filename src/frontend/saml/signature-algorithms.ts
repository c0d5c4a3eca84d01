/**
 * The XML-signature algorithms an AuthnRequest may use, for both bindings (the Redirect binding's
 * SigAlg takes the same URIs). Everything else — HMAC (a shared secret is no SP signature), DSA,
 * MD5, unknown URIs — is refused. SHA-1 is refused too unless the SP sets allowSha1Signatures.
 */
import { refused } from './inbound-errors.js';

export interface SignatureAlgorithm {
  /** Node's digest name for crypto.verify. */
  readonly hash: string;
  readonly key: 'rsa' | 'ec';
  readonly sha1: boolean;
}

const SIGNATURE_METHODS: ReadonlyMap<string, SignatureAlgorithm> = new Map([
  [
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    { hash: 'sha256', key: 'rsa', sha1: false },
  ],
  [
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
    { hash: 'sha384', key: 'rsa', sha1: false },
  ],
  [
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
    { hash: 'sha512', key: 'rsa', sha1: false },
  ],
  [
    'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
    { hash: 'sha256', key: 'ec', sha1: false },
  ],
  [
    'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
    { hash: 'sha384', key: 'ec', sha1: false },
  ],
  [
    'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
    { hash: 'sha512', key: 'ec', sha1: false },
  ],
  ['http://www.w3.org/2000/09/xmldsig#rsa-sha1', { hash: 'sha1', key: 'rsa', sha1: true }],
  ['http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1', { hash: 'sha1', key: 'ec', sha1: true }],
]);

const DIGEST_METHODS: ReadonlyMap<string, { readonly hash: string; readonly sha1: boolean }> =
  new Map([
    ['http://www.w3.org/2001/04/xmlenc#sha256', { hash: 'sha256', sha1: false }],
    ['http://www.w3.org/2001/04/xmldsig-more#sha384', { hash: 'sha384', sha1: false }],
    ['http://www.w3.org/2001/04/xmlenc#sha512', { hash: 'sha512', sha1: false }],
    ['http://www.w3.org/2000/09/xmldsig#sha1', { hash: 'sha1', sha1: true }],
  ]);

/** The SP whose policy decides; only what the checks need. */
export interface SignaturePolicy {
  readonly id: string;
  readonly allowSha1Signatures: boolean;
}

export function signatureMethod(uri: string, sp: SignaturePolicy): SignatureAlgorithm {
  const alg = SIGNATURE_METHODS.get(uri);
  if (!alg) throw refused(`signature algorithm ${JSON.stringify(uri)} is not accepted`);
  if (alg.sha1 && !sp.allowSha1Signatures)
    throw refused(
      `signature algorithm ${uri} uses SHA-1, which is refused (allowSha1Signatures is not set for ${sp.id})`,
    );
  return alg;
}

export function digestMethod(
  uri: string,
  sp: SignaturePolicy,
): { readonly hash: string; readonly sha1: boolean } {
  const alg = DIGEST_METHODS.get(uri);
  if (!alg) throw refused(`digest algorithm ${JSON.stringify(uri)} is not accepted`);
  if (alg.sha1 && !sp.allowSha1Signatures)
    throw refused(
      `digest algorithm ${uri} is SHA-1, which is refused (allowSha1Signatures is not set for ${sp.id})`,
    );
  return alg;
}
