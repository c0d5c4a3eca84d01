/**
 * The signature of an HTTP-Redirect binding request (SAML bindings §3.4.4.1): SigAlg and
 * Signature are query parameters, and the signature is over the octet string
 * "SAMLRequest=…&RelayState=…&SigAlg=…" exactly as sent. Checked with the SP's configured keys
 * and the same algorithm allow-list as XML signatures.
 */
import { verify, type KeyObject } from 'node:crypto';
import type { SamlParameters } from './binding-parameters.js';
import { keyFits } from './sp-verification-keys.js';
import { strictBase64 } from './strict-base64.js';
import { refused } from './inbound-errors.js';
import { signatureMethod, type SignaturePolicy } from './signature-algorithms.js';
import type { VerifiedSignature } from './xml-signature-verifier.js';

/** Whether the query carries a signature at all (both parameters, or a refusal for half of one). */
export function hasRedirectSignature(params: SamlParameters): boolean {
  if (params.signature === undefined && params.sigAlg === undefined) return false;
  if (params.signature === undefined || params.sigAlg === undefined)
    throw refused('the query has one of SigAlg and Signature without the other');
  return true;
}

export function verifyRedirectSignature(
  params: SamlParameters,
  keys: readonly KeyObject[],
  sp: SignaturePolicy,
): VerifiedSignature {
  const algorithm = params.sigAlg ?? '';
  const alg = signatureMethod(algorithm, sp);
  const value = strictBase64(params.signature ?? '');
  if (!value) throw refused('Signature is not base64');
  const octets = Buffer.from(params.signedOctets ?? '', 'latin1');
  // ECDSA values come as r||s (XML-signature style) from some SPs and DER from others (JCA).
  const encodings = alg.key === 'ec' ? (['ieee-p1363', 'der'] as const) : ([undefined] as const);
  const ok = keys.some(
    (key) =>
      keyFits(key, alg.key) &&
      encodings.some((dsaEncoding) =>
        verify(alg.hash, octets, dsaEncoding ? { key, dsaEncoding } : key, value),
      ),
  );
  if (!ok)
    throw refused(
      `the query signature does not verify with the certificate configured for ${sp.id}`,
    );
  return { algorithm, sha1: alg.sha1 };
}
