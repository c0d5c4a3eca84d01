/**
 * The XML signature of a POST-binding AuthnRequest, checked exactly: only the one enveloped
 * signature of the root element, over the root element, counts. Structural rules come first and
 * refuse everything a wrapping attack needs:
 *
 *   - exactly one ds:Signature in the whole document, a direct child of the root AuthnRequest;
 *   - ds:Signature holds SignedInfo, SignatureValue and at most a KeyInfo (which is ignored);
 *   - SignedInfo has exactly one Reference, whose URI is "#" + the root's ID (the IDs of the
 *     document are unique: id-uniqueness.ts runs first);
 *   - its Transforms are exactly enveloped-signature then exclusive C14N without comments, and
 *     CanonicalizationMethod is exclusive C14N without comments (InclusiveNamespaces allowed);
 *   - signature and digest algorithms from the allow-list (signature-algorithms.ts).
 *
 * The arithmetic then runs on the same libxml2 tree the fields are read from: libxml2's exclusive
 * C14N of the root without the Signature (the enveloped transform), its digest, and the signature
 * over the canonical SignedInfo, verified with the SP's configured keys only.
 */
import { createHash, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { XmlDocument, XmlElement, XmlNode } from 'libxml2-wasm';
import { XmlC14NMode, XmlStringOutputBufferHandler, XmlXPath } from './libxml2.js';
import { keyFits } from './sp-verification-keys.js';
import { digestMethod, refused, signatureMethod, type SignaturePolicy } from './signature-algorithms.js';
import { attribute, childElements, is, NS } from './saml-xml.js';
import { strictBase64 } from './strict-base64.js';

const SIGNATURES = XmlXPath.compile('//ds:Signature', { ds: NS.ds });
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const NCNAME_OR_DEFAULT = /^(#default|[A-Za-z_][\w.-]*)$/;
/** Canonicalization's cost grows with the prefixes it must render everywhere; signers list a few. */
const MAX_INCLUSIVE_PREFIXES = 16;

export interface VerifiedSignature {
  readonly algorithm: string;
  readonly sha1: boolean;
}

/** Every ds:Signature element anywhere in the document. */
export function signatureElements(doc: XmlDocument): XmlElement[] {
  return doc.find(SIGNATURES) as XmlElement[];
}

export function verifyEnvelopedSignature(doc: XmlDocument, keys: readonly KeyObject[], sp: SignaturePolicy): VerifiedSignature {
  const root = doc.root;
  const signatures = signatureElements(doc);
  if (signatures.length !== 1) throw refused(`the message has ${signatures.length} signatures; exactly one, enveloped in the AuthnRequest, is accepted`);
  const signature = signatures[0]!;
  if (!signature.parent?.isSameNode(root)) throw refused('the signature is not on the AuthnRequest itself');

  const [signedInfo, signatureValue, ...rest] = childElements(signature);
  if (!signedInfo || !is(signedInfo, NS.ds, 'SignedInfo') || !signatureValue || !is(signatureValue, NS.ds, 'SignatureValue')) {
    throw refused('the signature has no SignedInfo and SignatureValue');
  }
  if (rest.length > 1 || (rest[0] && !is(rest[0], NS.ds, 'KeyInfo'))) throw refused('the signature carries elements besides SignedInfo, SignatureValue and KeyInfo');

  const [c14n, method, ...references] = childElements(signedInfo);
  if (!c14n || !is(c14n, NS.ds, 'CanonicalizationMethod') || !method || !is(method, NS.ds, 'SignatureMethod')) {
    throw refused('SignedInfo lacks CanonicalizationMethod or SignatureMethod');
  }
  const signedInfoPrefixes = exclusiveC14n(c14n, 'CanonicalizationMethod');
  if (childElements(method).length > 0) throw refused('SignatureMethod has parameters (such as HMACOutputLength)');
  const algorithm = attribute(method, 'Algorithm') ?? '';
  const signatureAlg = signatureMethod(algorithm, sp);
  if (references.length !== 1 || !is(references[0]!, NS.ds, 'Reference')) throw refused(`SignedInfo has ${references.length} references; exactly one is accepted`);
  const reference = references[0]!;

  const rootId = attribute(root, 'ID')?.trim();
  const uri = attribute(reference, 'URI');
  if (!rootId || uri !== `#${rootId}`) {
    throw refused(`the signature's Reference URI ${JSON.stringify(uri ?? null)} does not name the AuthnRequest (${JSON.stringify(`#${rootId ?? ''}`)})`);
  }
  const [transforms, digestMethodEl, digestValue, ...extra] = childElements(reference);
  if (!transforms || !is(transforms, NS.ds, 'Transforms') || !digestMethodEl || !digestValue || extra.length > 0) {
    throw refused('the Reference must have Transforms, DigestMethod and DigestValue');
  }
  const digestPrefixes = checkTransforms(transforms);
  const digestAlg = digestMethod(attribute(digestMethodEl, 'Algorithm') ?? '', sp);

  const without = (node: XmlNode) => !node.isSameNode(signature);
  const canonical = new XmlStringOutputBufferHandler();
  canonicalizing(() => doc.canonicalize(canonical, { mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0, withComments: false, isVisible: without, inclusiveNamespacePrefixes: digestPrefixes }));
  const digest = createHash(digestAlg.hash).update(canonical.result, 'utf8').digest();
  const expected = base64(digestValue.content, 'DigestValue');
  if (digest.length !== expected.length || !timingSafeEqual(digest, expected)) throw refused('the digest does not match: the AuthnRequest was changed after it was signed');

  const signedBytes = Buffer.from(
    canonicalizing(() => signedInfo.canonicalizeToString({ mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0, withComments: false, inclusiveNamespacePrefixes: signedInfoPrefixes })),
    'utf8',
  );
  const value = base64(signatureValue.content, 'SignatureValue');
  const ok = keys.some(
    (key) =>
      keyFits(key, signatureAlg.key) &&
      verify(signatureAlg.hash, signedBytes, signatureAlg.key === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key, value),
  );
  if (!ok) throw refused(`the signature does not verify with the certificate configured for ${sp.id}`);
  return { algorithm, sha1: signatureAlg.sha1 || digestAlg.sha1 };
}

/** Transforms must be exactly enveloped-signature, then exclusive C14N; returns its prefix list. */
function checkTransforms(transforms: XmlElement): string[] | undefined {
  const list = childElements(transforms);
  const algorithms = list.map((t) => (is(t, NS.ds, 'Transform') ? (attribute(t, 'Algorithm') ?? '') : '(not a Transform)'));
  if (list.length !== 2 || algorithms[0] !== ENVELOPED || algorithms[1] !== EXC_C14N) {
    throw refused(`the Reference's transforms must be exactly enveloped-signature and exclusive C14N without comments (got ${algorithms.join(', ') || 'none'})`);
  }
  if (childElements(list[0]!).length > 0) throw refused('the enveloped-signature transform has parameters');
  return exclusiveC14n(list[1]!, 'Transform');
}

/** An exclusive C14N algorithm element: Algorithm without comments, and at most an InclusiveNamespaces. */
function exclusiveC14n(el: XmlElement, what: string): string[] | undefined {
  const algorithm = attribute(el, 'Algorithm');
  if (algorithm !== EXC_C14N) throw refused(`${what} ${JSON.stringify(algorithm ?? null)} is not exclusive C14N without comments`);
  const params = childElements(el);
  if (params.length === 0) return undefined;
  const inclusive = params[0]!;
  if (params.length > 1 || !is(inclusive, NS.ec, 'InclusiveNamespaces')) throw refused(`${what} has parameters other than InclusiveNamespaces`);
  const prefixes = (attribute(inclusive, 'PrefixList') ?? '').split(/\s+/).filter((p) => p !== '');
  if (!prefixes.every((p) => NCNAME_OR_DEFAULT.test(p))) throw refused(`${what} has an invalid InclusiveNamespaces PrefixList`);
  if (prefixes.length > MAX_INCLUSIVE_PREFIXES) throw refused(`${what} lists ${prefixes.length} InclusiveNamespaces prefixes; at most ${MAX_INCLUSIVE_PREFIXES} are accepted`);
  return prefixes;
}

/** libxml2 refuses to canonicalize some well-formed documents (a relative namespace URI): that is the message's fault. */
function canonicalizing<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw refused(`the signed content cannot be canonicalized (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

function base64(text: string, what: string): Buffer {
  const bytes = strictBase64(text);
  if (!bytes) throw refused(`${what} is not base64`);
  return bytes;
}
