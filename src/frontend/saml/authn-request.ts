/**
 * Decoding an inbound AuthnRequest (HTTP-Redirect or HTTP-POST binding) as a list of small checks,
 * cheapest first, each refusing with a typed error. decodeAuthnRequest reads in their order:
 *
 *   1. message bytes    strict base64, (inflate,) size limit before any parsing (message-bytes.ts)
 *   2. parse            UTF-8, no DTD, no processing instruction, shape limits; one libxml2 parse
 *                       (saml-xml.ts)
 *   3. DOCUMENT_CHECKS  the SAML 2.0 protocol schema, compiled once (schema-validator.ts); no two
 *                       ID attributes alike (id-uniqueness.ts)
 *   4. issuer           the root's Issuer names a configured SP
 *   5. REQUEST_CHECKS   per binding: the signature (Redirect: in the query, no XML signature; POST:
 *                       the root's one enveloped signature), required when the SP says; then the
 *                       ACS the response goes to (acs-selection.ts), from the root's
 *                       AssertionConsumerServiceIndex/URL and ProtocolBinding — the element the
 *                       signature covers
 *   6. fields           ID, ForceAuthn, IsPassive, NameIDPolicy (nameid/name-id-policy.ts)
 *
 * The checks themselves are in authn-request-checks.ts. `signed` is true only for a signature that
 * was verified here.
 */
import type { XmlDocument } from 'libxml2-wasm';
import type { ProcessLog } from '../../logging/process-log.js';
import type { NameIdPolicy } from '../../relying-party/name-id-choice.js';
import type {
  RelyingPartyRegistry,
  SamlServiceProvider,
} from '../../relying-party/relying-party.js';
import {
  assertionConsumerService,
  findQuerySignature,
  findXmlSignature,
  noteSha1Signature,
  noteUncheckedSignature,
  noXmlSignatureOnRedirect,
  requestId,
  serviceProvider,
  signedIfSpRequires,
  verifyQuerySignature,
  verifyXmlSignature,
  xsBoolean,
  type InboundRequest,
  type RequestCheck,
} from './authn-request-checks.js';
import type { SamlParameters } from './binding-parameters.js';
import { checkIdUniqueness } from './id-uniqueness.js';
import { messageBytes } from './message-bytes.js';
import { nameIdPolicy } from './nameid/name-id-policy.js';
import { BINDING, type InboundBinding } from './saml-bindings.js';
import { parseSamlXml } from './saml-xml.js';
import { validateSamlSchema } from './schema-validator.js';
import { verificationKeys } from './sp-verification-keys.js';
import { attributes } from './xml-elements.js';

export type { InboundBinding } from './saml-bindings.js';

export interface DecodedAuthnRequest {
  readonly sp: SamlServiceProvider;
  readonly requestId: string;
  readonly relayState: string | null;
  readonly binding: string;
  /** A signature was present and verified with the SP's configured certificate. */
  readonly signed: boolean;
  readonly forceAuthn: boolean;
  readonly isPassive: boolean;
  /** The Location of the AssertionConsumerService the response goes to (acs-selection.ts). */
  readonly acsUrl: string;
  /** The request's NameIDPolicy (null without one), decided on at response time. */
  readonly nameIdPolicy: NameIdPolicy | null;
}

export interface DecoderDeps {
  readonly relyingParties: RelyingPartyRegistry;
  readonly maxMessageSize: number;
  readonly log: ProcessLog;
}

/** On the parsed document, before anything in it is trusted (not even the Issuer), in order. */
const DOCUMENT_CHECKS: readonly ((doc: XmlDocument) => void)[] = [
  validateSamlSchema,
  checkIdUniqueness,
];

/** On the request of a known SP, in order, each with the bindings it runs for. */
const REQUEST_CHECKS: readonly (readonly [RequestCheck, ...InboundBinding[]])[] = [
  [noXmlSignatureOnRedirect, 'redirect'],
  [findQuerySignature, 'redirect'],
  [verifyQuerySignature, 'redirect'],
  [findXmlSignature, 'post'],
  [verifyXmlSignature, 'post'],
  [signedIfSpRequires, 'redirect', 'post'],
  [noteUncheckedSignature, 'redirect', 'post'],
  [noteSha1Signature, 'redirect', 'post'],
  [assertionConsumerService, 'redirect', 'post'],
];

const CHECKS_FOR: Readonly<Record<InboundBinding, readonly RequestCheck[]>> = {
  redirect: checksFor('redirect'),
  post: checksFor('post'),
};

export function decodeAuthnRequest(
  params: SamlParameters,
  binding: InboundBinding,
  deps: DecoderDeps,
): DecodedAuthnRequest {
  const doc = parseSamlXml(messageBytes(params.samlRequest, binding, deps.maxMessageSize));
  try {
    for (const check of DOCUMENT_CHECKS) check(doc);
    const request = fromItsIssuer(doc, params, binding, deps);
    for (const check of CHECKS_FOR[binding]) check(request);
    return decoded(request);
  } finally {
    doc.dispose();
  }
}

function checksFor(binding: InboundBinding): RequestCheck[] {
  return REQUEST_CHECKS.filter(([, ...bindings]) => bindings.includes(binding)).map(
    ([check]) => check,
  );
}

/**
 * The message as its checks see it, once its Issuer names a configured SP (an AuthnRequest; the
 * logout messages go through the same checks).
 */
export function fromItsIssuer(
  doc: XmlDocument,
  params: SamlParameters,
  binding: InboundBinding,
  deps: DecoderDeps,
): InboundRequest {
  const root = doc.root;
  const sp = serviceProvider(root, deps.relyingParties);
  return {
    doc,
    params,
    binding,
    sp,
    keys: verificationKeys(sp),
    fields: attributes(root),
    log: deps.log,
    signaturePresent: false,
    verified: null,
    acs: null,
  };
}

/** What the profile flow takes from the request; reading the ID refuses a request without one. */
function decoded(request: InboundRequest): DecodedAuthnRequest {
  const { fields, params, binding, verified, sp, acs } = request;
  if (!acs) throw new Error('no AssertionConsumerService was chosen');
  return {
    requestId: requestId(request),
    forceAuthn: xsBoolean(fields.get('ForceAuthn')),
    isPassive: xsBoolean(fields.get('IsPassive')),
    nameIdPolicy: nameIdPolicy(request.doc.root),
    relayState: params.relayState,
    binding: BINDING[binding],
    signed: verified !== null,
    acsUrl: acs.location,
    sp,
  };
}
