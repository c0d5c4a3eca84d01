/**
 * The shape of the XML signature of a POST-binding AuthnRequest, checked before any cryptography:
 * only the one enveloped signature of the root element, over the root element, counts. These rules
 * refuse everything a wrapping attack needs, and run in this order (signatureStructure):
 *
 *   - exactly one ds:Signature in the whole document, a direct child of the root AuthnRequest;
 *   - ds:Signature holds SignedInfo, SignatureValue and at most a KeyInfo (which is ignored);
 *   - SignedInfo starts with CanonicalizationMethod, exclusive C14N without comments
 *     (InclusiveNamespaces allowed), and SignatureMethod, without parameters, from the allow-list
 *     (signature-algorithms.ts);
 *   - SignedInfo has exactly one Reference, whose URI is "#" + the root's ID (the IDs of the
 *     document are unique: id-uniqueness.ts runs first);
 *   - the Reference holds Transforms, DigestMethod and DigestValue; its Transforms are exactly
 *     enveloped-signature then exclusive C14N without comments; its digest algorithm is from the
 *     allow-list.
 */
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { refused } from './inbound-errors.js';
import { XmlXPath } from './libxml2.js';
import {
  digestMethod,
  signatureMethod,
  type SignatureAlgorithm,
  type SignaturePolicy,
} from './signature-algorithms.js';
import { attribute, childElements, is, NS } from './xml-elements.js';

const SIGNATURES = XmlXPath.compile('//ds:Signature', { ds: NS.ds });
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const NCNAME_OR_DEFAULT = /^(#default|[A-Za-z_][\w.-]*)$/;
/** Canonicalization's cost grows with the prefixes it must render everywhere; signers list a few. */
const MAX_INCLUSIVE_PREFIXES = 16;

/** The parts of an accepted signature that its verification works with. */
export interface SignatureStructure {
  readonly signature: XmlElement;
  readonly signedInfo: XmlElement;
  readonly signatureValue: XmlElement;
  readonly digestValue: XmlElement;
  /** SignatureMethod's Algorithm, as written. */
  readonly algorithm: string;
  readonly signatureAlg: SignatureAlgorithm;
  readonly digestAlg: { readonly hash: string; readonly sha1: boolean };
  /** The InclusiveNamespaces prefixes for canonicalizing SignedInfo. */
  readonly signedInfoPrefixes: string[] | undefined;
  /** The InclusiveNamespaces prefixes for canonicalizing the signed AuthnRequest. */
  readonly digestPrefixes: string[] | undefined;
}

/** Every ds:Signature element anywhere in the document. */
export function signatureElements(doc: XmlDocument): XmlElement[] {
  return doc.find(SIGNATURES) as XmlElement[];
}

/** The signature's parts, or a refusal naming the first rule it breaks. */
export function signatureStructure(doc: XmlDocument, sp: SignaturePolicy): SignatureStructure {
  const signature = envelopedSignature(doc);
  const { signedInfo, signatureValue } = signatureChildren(signature);
  const { c14n, method, references } = signedInfoChildren(signedInfo);
  const signedInfoPrefixes = exclusiveC14n(c14n, 'CanonicalizationMethod');
  const { algorithm, signatureAlg } = signatureAlgorithm(method, sp);
  const reference = theOneReference(references);
  referenceNamesRoot(reference, doc.root);
  const { transforms, digestMethodEl, digestValue } = referenceChildren(reference);
  const digestPrefixes = checkTransforms(transforms);
  const digestAlg = digestMethod(attribute(digestMethodEl, 'Algorithm') ?? '', sp);
  return {
    signature,
    signedInfo,
    signatureValue,
    digestValue,
    algorithm,
    signatureAlg,
    digestAlg,
    signedInfoPrefixes,
    digestPrefixes,
  };
}

/** One signature, on the root: any other is one a wrapping attack could have the IdP read instead. */
function envelopedSignature(doc: XmlDocument): XmlElement {
  const signatures = signatureElements(doc);
  if (signatures.length !== 1)
    throw refused(
      `the message has ${signatures.length} signatures; exactly one, enveloped in the ${doc.root.name}, is accepted`,
    );
  const signature = signatures[0]!;
  if (!signature.parent?.isSameNode(doc.root))
    throw refused(`the signature is not on the ${doc.root.name} itself`);
  return signature;
}

/** SignedInfo and SignatureValue, then at most a KeyInfo (never used: keys come from configuration). */
function signatureChildren(signature: XmlElement): {
  signedInfo: XmlElement;
  signatureValue: XmlElement;
} {
  const [signedInfo, signatureValue, ...rest] = childElements(signature);
  if (
    !signedInfo ||
    !is(signedInfo, NS.ds, 'SignedInfo') ||
    !signatureValue ||
    !is(signatureValue, NS.ds, 'SignatureValue')
  ) {
    throw refused('the signature has no SignedInfo and SignatureValue');
  }
  if (rest.length > 1 || (rest[0] && !is(rest[0], NS.ds, 'KeyInfo')))
    throw refused('the signature carries elements besides SignedInfo, SignatureValue and KeyInfo');
  return { signedInfo, signatureValue };
}

/** CanonicalizationMethod and SignatureMethod come first, as the schema orders them; the rest are references. */
function signedInfoChildren(signedInfo: XmlElement): {
  c14n: XmlElement;
  method: XmlElement;
  references: XmlElement[];
} {
  const [c14n, method, ...references] = childElements(signedInfo);
  if (
    !c14n ||
    !is(c14n, NS.ds, 'CanonicalizationMethod') ||
    !method ||
    !is(method, NS.ds, 'SignatureMethod')
  ) {
    throw refused('SignedInfo lacks CanonicalizationMethod or SignatureMethod');
  }
  return { c14n, method, references };
}

/** An allowed algorithm, with no parameters: HMACOutputLength would truncate what is checked. */
function signatureAlgorithm(
  method: XmlElement,
  sp: SignaturePolicy,
): { algorithm: string; signatureAlg: SignatureAlgorithm } {
  if (childElements(method).length > 0)
    throw refused('SignatureMethod has parameters (such as HMACOutputLength)');
  const algorithm = attribute(method, 'Algorithm') ?? '';
  return { algorithm, signatureAlg: signatureMethod(algorithm, sp) };
}

/** One Reference: with more, what is signed and what is read could be two different elements. */
function theOneReference(references: readonly XmlElement[]): XmlElement {
  if (references.length !== 1 || !is(references[0]!, NS.ds, 'Reference'))
    throw refused(`SignedInfo has ${references.length} references; exactly one is accepted`);
  return references[0]!;
}

/** The Reference names the root, the element whose fields are read. */
function referenceNamesRoot(reference: XmlElement, root: XmlElement): void {
  const rootId = attribute(root, 'ID')?.trim();
  const uri = attribute(reference, 'URI');
  if (!rootId || uri !== `#${rootId}`) {
    throw refused(
      `the signature's Reference URI ${JSON.stringify(uri ?? null)} does not name the ${root.name} (${JSON.stringify(`#${rootId ?? ''}`)})`,
    );
  }
}

/** Transforms, DigestMethod and DigestValue, and nothing else. */
function referenceChildren(reference: XmlElement): {
  transforms: XmlElement;
  digestMethodEl: XmlElement;
  digestValue: XmlElement;
} {
  const [transforms, digestMethodEl, digestValue, ...extra] = childElements(reference);
  if (
    !transforms ||
    !is(transforms, NS.ds, 'Transforms') ||
    !digestMethodEl ||
    !digestValue ||
    extra.length > 0
  ) {
    throw refused('the Reference must have Transforms, DigestMethod and DigestValue');
  }
  return { transforms, digestMethodEl, digestValue };
}

/** Transforms must be exactly enveloped-signature, then exclusive C14N; returns its prefix list. */
function checkTransforms(transforms: XmlElement): string[] | undefined {
  const list = childElements(transforms);
  const algorithms = list.map((t) =>
    is(t, NS.ds, 'Transform') ? (attribute(t, 'Algorithm') ?? '') : '(not a Transform)',
  );
  if (list.length !== 2 || algorithms[0] !== ENVELOPED || algorithms[1] !== EXC_C14N) {
    throw refused(
      `the Reference's transforms must be exactly enveloped-signature and exclusive C14N without comments (got ${algorithms.join(', ') || 'none'})`,
    );
  }
  if (childElements(list[0]!).length > 0)
    throw refused('the enveloped-signature transform has parameters');
  return exclusiveC14n(list[1]!, 'Transform');
}

/** An exclusive C14N algorithm element: Algorithm without comments, and at most an InclusiveNamespaces. */
function exclusiveC14n(el: XmlElement, what: string): string[] | undefined {
  const algorithm = attribute(el, 'Algorithm');
  if (algorithm !== EXC_C14N)
    throw refused(
      `${what} ${JSON.stringify(algorithm ?? null)} is not exclusive C14N without comments`,
    );
  const params = childElements(el);
  if (params.length === 0) return undefined;
  const inclusive = params[0]!;
  if (params.length > 1 || !is(inclusive, NS.ec, 'InclusiveNamespaces'))
    throw refused(`${what} has parameters other than InclusiveNamespaces`);
  const prefixes = (attribute(inclusive, 'PrefixList') ?? '').split(/\s+/).filter((p) => p !== '');
  if (!prefixes.every((p) => NCNAME_OR_DEFAULT.test(p)))
    throw refused(`${what} has an invalid InclusiveNamespaces PrefixList`);
  if (prefixes.length > MAX_INCLUSIVE_PREFIXES)
    throw refused(
      `${what} lists ${prefixes.length} InclusiveNamespaces prefixes; at most ${MAX_INCLUSIVE_PREFIXES} are accepted`,
    );
  return prefixes;
}
