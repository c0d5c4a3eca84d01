/**
 * Decoding an inbound AuthnRequest (HTTP-Redirect or HTTP-POST binding) as a list of small checks,
 * cheapest first, each refusing with a typed error:
 *
 *   1. message bytes    strict base64, (inflate,) size limit before any parsing
 *   2. parse            UTF-8, no DTD, no processing instruction; one libxml2 parse
 *   3. schema           the SAML 2.0 protocol schema, compiled once (schema-validator.ts)
 *   4. unique IDs       no two ID attributes alike (id-uniqueness.ts)
 *   5. issuer           the root's Issuer names a configured SP
 *   6. signature        Redirect: query signature, no XML signature; POST: the root's one
 *                       enveloped signature (xml-signature-verifier.ts); required when the SP says
 *   7. fields           ID, ForceAuthn, IsPassive, ACS URL, ProtocolBinding — from the root, the
 *                       element the signature covers
 *
 * `signed` is true only for a signature that was verified here.
 */
import { inflateRawSync } from 'node:zlib';
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { IdpError } from '../../core/errors.js';
import type { ProcessLog } from '../../logging/process-log.js';
import type { RelyingPartyRegistry, SamlServiceProvider } from '../../relying-party/relying-party.js';
import type { SamlParameters } from './binding-parameters.js';
import { checkIdUniqueness } from './id-uniqueness.js';
import { hasRedirectSignature, verifyRedirectSignature } from './redirect-signature-verifier.js';
import { BINDING } from './saml-bindings.js';
import { attribute, attributes, childElements, is, malformed, NS, parseSamlXml } from './saml-xml.js';
import { validateSamlSchema } from './schema-validator.js';
import { refused } from './signature-algorithms.js';
import { verificationKeys } from './sp-verification-keys.js';
import { strictBase64 } from './strict-base64.js';
import { signatureElements, verifyEnvelopedSignature, type VerifiedSignature } from './xml-signature-verifier.js';

const ENTITY_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';

export type InboundBinding = 'redirect' | 'post';

export interface DecodedAuthnRequest {
  readonly sp: SamlServiceProvider;
  readonly requestId: string;
  readonly relayState: string | null;
  readonly binding: string;
  /** A signature was present and verified with the SP's configured certificate. */
  readonly signed: boolean;
  readonly forceAuthn: boolean;
  readonly isPassive: boolean;
}

export interface DecoderDeps {
  readonly relyingParties: RelyingPartyRegistry;
  readonly maxMessageSize: number;
  readonly log: ProcessLog;
}

export function decodeAuthnRequest(params: SamlParameters, binding: InboundBinding, deps: DecoderDeps): DecodedAuthnRequest {
  const doc = parseSamlXml(messageBytes(params.samlRequest, binding, deps.maxMessageSize));
  try {
    validateSamlSchema(doc);
    checkIdUniqueness(doc);
    const root = doc.root;
    const sp = serviceProvider(root, deps.relyingParties);
    const signature = checkSignature(doc, params, binding, sp, deps.log);
    return { ...requestFields(root, sp), relayState: params.relayState, binding: BINDING[binding], signed: signature !== null, sp };
  } finally {
    doc.dispose();
  }
}

/**
 * Redirect: base64 of raw DEFLATE. POST: base64 of the XML — though some SPs (node-saml by
 * default) deflate it anyway, so bytes that do not start like XML get one bounded inflate.
 */
function messageBytes(encoded: string, binding: InboundBinding, max: number): Buffer {
  const bytes = strictBase64(encoded);
  if (!bytes) throw malformed('SAMLRequest is not base64');
  if (binding === 'post' && /^(\uFEFF)?\s*</.test(bytes.subarray(0, 64).toString('utf8'))) {
    if (bytes.length > max) throw tooLarge(max);
    return bytes;
  }
  try {
    return inflateRawSync(bytes, { maxOutputLength: max });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(max);
    throw malformed(binding === 'redirect' ? 'SAMLRequest is not DEFLATE-compressed' : 'SAMLRequest is neither XML nor DEFLATE-compressed XML', err);
  }
}

function serviceProvider(root: XmlElement, relyingParties: RelyingPartyRegistry): SamlServiceProvider {
  const issuer = childElements(root).find((el) => is(el, NS.saml, 'Issuer'));
  if (!issuer) throw malformed('AuthnRequest has no Issuer');
  const format = attribute(issuer, 'Format');
  if (format !== undefined && format !== ENTITY_FORMAT) throw malformed(`the Issuer's Format ${JSON.stringify(format)} is not the entity format`);
  // The whole text of the element: with comments or CDATA inside, never just the first piece.
  const entityID = issuer.content.trim();
  const sp = relyingParties.saml(entityID);
  if (!sp) throw new IdpError('UNKNOWN_RELYING_PARTY', `no service provider with entity ID ${JSON.stringify(entityID)} is configured`);
  return sp;
}

/** The verified signature, null for an acceptable unsigned (or unverifiable) request. */
function checkSignature(doc: XmlDocument, params: SamlParameters, binding: InboundBinding, sp: SamlServiceProvider, log: ProcessLog): VerifiedSignature | null {
  const xmlSignatures = signatureElements(doc).length;
  const keys = verificationKeys(sp);
  let present: boolean;
  let verified: VerifiedSignature | null = null;
  if (binding === 'redirect') {
    // SAML bindings §3.4.4.1: the XML signature must be removed; the query carries the signature.
    if (xmlSignatures > 0) throw refused('a Redirect-binding message must not carry an XML signature (it is signed in the query)');
    present = hasRedirectSignature(params);
    if (present && keys.length > 0) verified = verifyRedirectSignature(params, keys, sp);
  } else {
    present = xmlSignatures > 0;
    if (present && keys.length > 0) verified = verifyEnvelopedSignature(doc, keys, sp);
  }
  if (!verified && sp.wantAuthnRequestsSigned) {
    throw new IdpError('MESSAGE_AUTHENTICATION_FAILED', `AuthnRequest from ${sp.id} is not signed, and ${sp.id} must sign its requests`);
  }
  if (present && !verified) log.debug(`AuthnRequest from ${sp.id} carries a signature, but no certificate is configured to check it: treated as unsigned`);
  if (verified?.sha1) log.warn(`AuthnRequest from ${sp.id} accepted with a SHA-1 signature (${verified.algorithm}), allowed by allowSha1Signatures (${sp.declaredAt})`);
  return verified;
}

function requestFields(root: XmlElement, sp: SamlServiceProvider) {
  const attrs = attributes(root);
  const acs = attrs.get('AssertionConsumerServiceURL');
  if (acs !== undefined && acs !== sp.assertionConsumerServiceURL) {
    throw malformed(`AssertionConsumerServiceURL ${JSON.stringify(acs)} is not the one configured for ${sp.id}`);
  }
  const protocolBinding = attrs.get('ProtocolBinding');
  if (protocolBinding !== undefined && protocolBinding !== BINDING.post) {
    throw malformed(`ProtocolBinding ${JSON.stringify(protocolBinding)} is not supported (only HTTP-POST)`);
  }
  const requestId = attrs.get('ID')?.trim();
  if (!requestId) throw malformed('AuthnRequest has no ID');
  return { requestId, forceAuthn: xsBoolean(attrs.get('ForceAuthn')), isPassive: xsBoolean(attrs.get('IsPassive')) };
}

function xsBoolean(value: string | undefined): boolean {
  const v = value?.trim();
  return v === 'true' || v === '1';
}

function tooLarge(max: number): IdpError {
  return new IdpError('MESSAGE_TOO_LARGE', `AuthnRequest is larger than ${max} bytes`);
}
