/**
 * The XML signature of a POST-binding AuthnRequest, checked exactly. Its structure comes first
 * (xml-signature-structure.ts: only the one enveloped signature of the root element, over the root
 * element, counts). The arithmetic then runs on the same libxml2 tree the fields are read from:
 * libxml2's exclusive C14N of the root without the Signature (the enveloped transform), its
 * digest, and the signature over the canonical SignedInfo, verified with the SP's configured keys
 * only.
 */
import { createHash, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { XmlDocument, XmlNode } from 'libxml2-wasm';
import { refused } from './inbound-errors.js';
import { XmlC14NMode, XmlStringOutputBufferHandler } from './libxml2.js';
import type { SignaturePolicy } from './signature-algorithms.js';
import { keyFits } from './sp-verification-keys.js';
import { strictBase64 } from './strict-base64.js';
import { signatureStructure, type SignatureStructure } from './xml-signature-structure.js';

export interface VerifiedSignature {
  readonly algorithm: string;
  readonly sha1: boolean;
}

export function verifyEnvelopedSignature(
  doc: XmlDocument,
  keys: readonly KeyObject[],
  sp: SignaturePolicy,
): VerifiedSignature {
  const signature = signatureStructure(doc, sp);
  digestMatches(doc, signature);
  signatureVerifies(signature, keys, sp);
  return {
    algorithm: signature.algorithm,
    sha1: signature.signatureAlg.sha1 || signature.digestAlg.sha1,
  };
}

/** The digest of the AuthnRequest as it is now (without its Signature) is the one that was signed. */
function digestMatches(
  doc: XmlDocument,
  { signature, digestAlg, digestPrefixes, digestValue }: SignatureStructure,
): void {
  const without = (node: XmlNode) => !node.isSameNode(signature);
  const canonical = new XmlStringOutputBufferHandler();
  canonicalizing(() =>
    doc.canonicalize(canonical, {
      mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0,
      withComments: false,
      isVisible: without,
      inclusiveNamespacePrefixes: digestPrefixes,
    }),
  );
  const digest = createHash(digestAlg.hash).update(canonical.result, 'utf8').digest();
  const expected = base64(digestValue.content, 'DigestValue');
  if (digest.length !== expected.length || !timingSafeEqual(digest, expected))
    throw refused(
      `the digest does not match: the ${doc.root.name} was changed after it was signed`,
    );
}

/** SignatureValue is a signature over the canonical SignedInfo by one of the SP's configured keys. */
function signatureVerifies(
  { signedInfo, signatureValue, signatureAlg, signedInfoPrefixes }: SignatureStructure,
  keys: readonly KeyObject[],
  sp: SignaturePolicy,
): void {
  const signedBytes = Buffer.from(
    canonicalizing(() =>
      signedInfo.canonicalizeToString({
        mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0,
        withComments: false,
        inclusiveNamespacePrefixes: signedInfoPrefixes,
      }),
    ),
    'utf8',
  );
  const value = base64(signatureValue.content, 'SignatureValue');
  const ok = keys.some(
    (key) =>
      keyFits(key, signatureAlg.key) &&
      verify(
        signatureAlg.hash,
        signedBytes,
        signatureAlg.key === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key,
        value,
      ),
  );
  if (!ok)
    throw refused(`the signature does not verify with the certificate configured for ${sp.id}`);
}

/** libxml2 refuses to canonicalize some well-formed documents (a relative namespace URI): that is the message's fault. */
function canonicalizing<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw refused(
      `the signed content cannot be canonicalized (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    );
  }
}

function base64(text: string, what: string): Buffer {
  const bytes = strictBase64(text);
  if (!bytes) throw refused(`${what} is not base64`);
  return bytes;
}
