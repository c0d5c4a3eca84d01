/**
 * The checks on an AuthnRequest once its Issuer names a configured SP, each one function with one
 * job; authn-request.ts lists them in the order they run and the bindings they run for. They share
 * an InboundRequest, on which the signature checks record what they find.
 */
import type { KeyObject } from 'node:crypto';
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { IdpError } from '../../core/errors.js';
import type { ProcessLog } from '../../logging/process-log.js';
import type {
  RelyingPartyRegistry,
  SamlServiceProvider,
} from '../../relying-party/relying-party.js';
import type { AcsEndpoint } from '../../relying-party/saml-endpoints.js';
import { selectAcs } from './acs-selection.js';
import type { SamlParameters } from './binding-parameters.js';
import { malformed, refused } from './inbound-errors.js';
import { hasRedirectSignature, verifyRedirectSignature } from './redirect-signature-verifier.js';
import type { InboundBinding } from './saml-bindings.js';
import { attribute, childElements, is, NS } from './xml-elements.js';
import { signatureElements } from './xml-signature-structure.js';
import { verifyEnvelopedSignature, type VerifiedSignature } from './xml-signature-verifier.js';

const ENTITY_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';

/** An AuthnRequest from a known SP, as its checks see it. */
export interface InboundRequest {
  readonly doc: XmlDocument;
  readonly params: SamlParameters;
  readonly binding: InboundBinding;
  readonly sp: SamlServiceProvider;
  /** The keys of the SP's configured certificates; with none, no signature can be checked. */
  readonly keys: readonly KeyObject[];
  /** The root's unprefixed attributes: the request's fields, read from the element the signature covers. */
  readonly fields: ReadonlyMap<string, string>;
  readonly log: ProcessLog;
  /** The message carries a signature: set by the binding's find…Signature check. */
  signaturePresent: boolean;
  /** The signature verified here with `keys`, or null: set by the binding's verify…Signature check. */
  verified: VerifiedSignature | null;
  /** Where the response goes, or null until assertionConsumerService has chosen. */
  acs: AcsEndpoint | null;
}

export type RequestCheck = (request: InboundRequest) => void;

/** The SP the root's Issuer names: its configuration decides everything that follows. */
export function serviceProvider(
  root: XmlElement,
  relyingParties: RelyingPartyRegistry,
): SamlServiceProvider {
  const issuer = childElements(root).find((el) => is(el, NS.saml, 'Issuer'));
  if (!issuer) throw malformed('AuthnRequest has no Issuer');
  const format = attribute(issuer, 'Format');
  if (format !== undefined && format !== ENTITY_FORMAT)
    throw malformed(`the Issuer's Format ${JSON.stringify(format)} is not the entity format`);
  // The whole text of the element: with comments or CDATA inside, never just the first piece.
  const entityID = issuer.content.trim();
  const sp = relyingParties.saml(entityID);
  if (!sp)
    throw new IdpError(
      'UNKNOWN_RELYING_PARTY',
      `no service provider with entity ID ${JSON.stringify(entityID)} is configured`,
    );
  return sp;
}

/** SAML bindings §3.4.4.1: the XML signature must be removed; the query carries the signature. */
export function noXmlSignatureOnRedirect({ doc }: InboundRequest): void {
  if (signatureElements(doc).length > 0)
    throw refused(
      'a Redirect-binding message must not carry an XML signature (it is signed in the query)',
    );
}

/** SigAlg and Signature in the query: both (signed) or neither (unsigned); half of one is refused. */
export function findQuerySignature(request: InboundRequest): void {
  request.signaturePresent = hasRedirectSignature(request.params);
}

/** Only with the SP's configured keys, never a key the message brings. */
export function verifyQuerySignature(request: InboundRequest): void {
  const { signaturePresent, keys, params, sp } = request;
  if (signaturePresent && keys.length > 0)
    request.verified = verifyRedirectSignature(params, keys, sp);
}

/** Any ds:Signature at all: verifyEnvelopedSignature then accepts only the one enveloped in the root. */
export function findXmlSignature(request: InboundRequest): void {
  request.signaturePresent = signatureElements(request.doc).length > 0;
}

/** Only with the SP's configured keys, never a key the message brings (KeyInfo). */
export function verifyXmlSignature(request: InboundRequest): void {
  const { signaturePresent, keys, doc, sp } = request;
  if (signaturePresent && keys.length > 0)
    request.verified = verifyEnvelopedSignature(doc, keys, sp);
}

/** An SP that signs its requests (wantAuthnRequestsSigned) has an unsigned one refused: anyone could have sent it. */
export function signedIfSpRequires({ sp, verified }: InboundRequest): void {
  if (!verified && sp.wantAuthnRequestsSigned) {
    throw new IdpError(
      'MESSAGE_AUTHENTICATION_FAILED',
      `AuthnRequest from ${sp.id} is not signed, and ${sp.id} must sign its requests`,
    );
  }
}

/** A signature no configured certificate can check counts for nothing; the debug log says why. */
export function noteUncheckedSignature({
  sp,
  signaturePresent,
  verified,
  log,
}: InboundRequest): void {
  if (signaturePresent && !verified)
    log.debug(
      `AuthnRequest from ${sp.id} carries a signature, but no certificate is configured to check it: treated as unsigned`,
    );
}

/** SHA-1 is accepted only where the SP allows it, and the log says so every time. */
export function noteSha1Signature({ sp, verified, log }: InboundRequest): void {
  if (verified?.sha1)
    log.warn(
      `AuthnRequest from ${sp.id} accepted with a SHA-1 signature (${verified.algorithm}), allowed by allowSha1Signatures (${sp.declaredAt})`,
    );
}

/** The ACS the response goes to (acs-selection.ts): one the SP registered, by HTTP-POST. */
export function assertionConsumerService(request: InboundRequest): void {
  request.acs = selectAcs(request.sp, request.fields);
}

/** The ID the response answers (InResponseTo): a request without one cannot be answered. */
export function requestId({ fields }: InboundRequest): string {
  const id = fields.get('ID')?.trim();
  if (!id) throw malformed('AuthnRequest has no ID');
  return id;
}

export function xsBoolean(value: string | undefined): boolean {
  const v = value?.trim();
  return v === 'true' || v === '1';
}
