/**
 * Decoding an inbound LogoutRequest or LogoutResponse (HTTP-Redirect or HTTP-POST) with the same
 * strict steps as an AuthnRequest (authn-request.ts): message bytes within the limit, one libxml2
 * parse, the protocol schema, unique IDs, the Issuer naming a configured SP, then that SP's
 * signature checks — Redirect: SigAlg/Signature over the query; POST: the root's one enveloped
 * signature — with its configured certificates only. An SP with wantLogoutMessagesSigned (the
 * default) has an unsigned message refused. The fields are read from the element the signature
 * covers. EncryptedID and BaseID are not supported (docs/logout.md).
 */
import type { XmlElement } from 'libxml2-wasm';
import { IdpError } from '../../../core/errors.js';
import type { SamlServiceProvider } from '../../../relying-party/relying-party.js';
import type { SamlNameId } from '../../../session/session-participants.js';
import {
  findQuerySignature,
  findXmlSignature,
  noteSha1Signature,
  noXmlSignatureOnRedirect,
  verifyQuerySignature,
  verifyXmlSignature,
  type InboundRequest,
  type RequestCheck,
} from '../authn-request-checks.js';
import { fromItsIssuer, type DecoderDeps } from '../authn-request.js';
import type { SamlParameters } from '../binding-parameters.js';
import { checkIdUniqueness } from '../id-uniqueness.js';
import { malformed } from '../inbound-errors.js';
import { messageBytes } from '../message-bytes.js';
import type { InboundBinding } from '../saml-bindings.js';
import { parseSamlXml } from '../saml-xml.js';
import { validateSamlSchema } from '../schema-validator.js';
import { attribute, childElements, is, NS } from '../xml-elements.js';

interface LogoutMessageBase {
  readonly sp: SamlServiceProvider;
  readonly id: string;
  readonly relayState: string | null;
  readonly binding: InboundBinding;
  /** A signature was present and verified with the SP's configured certificates. */
  readonly signed: boolean;
}

export interface InboundLogoutRequest extends LogoutMessageBase {
  readonly kind: 'request';
  readonly nameId: Partial<SamlNameId> & { readonly value: string };
  readonly sessionIndexes: readonly string[];
}

interface InboundLogoutResponse extends LogoutMessageBase {
  readonly kind: 'response';
  readonly inResponseTo: string | undefined;
  /** The top-level StatusCode and its second-level one, if any. */
  readonly status: string;
  readonly subStatus: string | undefined;
}

export type InboundLogoutMessage = InboundLogoutRequest | InboundLogoutResponse;

const CHECKS: Readonly<Record<InboundBinding, readonly RequestCheck[]>> = {
  redirect: [noXmlSignatureOnRedirect, findQuerySignature, verifyQuerySignature],
  post: [findXmlSignature, verifyXmlSignature],
};

export function decodeLogoutMessage(
  params: SamlParameters,
  binding: InboundBinding,
  deps: DecoderDeps & { readonly destinations: readonly string[] },
  now = Date.now(),
): InboundLogoutMessage {
  const kind = params.message === 'SAMLRequest' ? 'request' : 'response';
  const root = kind === 'request' ? 'LogoutRequest' : 'LogoutResponse';
  const bytes = messageBytes(params.samlRequest, binding, deps.maxMessageSize);
  const doc = parseSamlXml(bytes, [root]);
  try {
    validateSamlSchema(doc);
    checkIdUniqueness(doc);
    const request = fromItsIssuer(doc, params, binding, deps);
    for (const check of [...CHECKS[binding], signedIfSpRequires, noteSha1Signature]) check(request);
    toThisIdp(request.fields, deps.destinations);
    const base = {
      sp: request.sp,
      id: required(request.fields, 'ID'),
      relayState: params.relayState,
      binding,
      signed: request.verified !== null,
    };
    return kind === 'request'
      ? { kind, ...base, ...requestFields(doc.root, request.fields, now) }
      : { kind, ...base, ...responseFields(doc.root, request.fields) };
  } finally {
    doc.dispose();
  }
}

/** wantLogoutMessagesSigned: an unsigned message could come from anyone who knows a NameID. */
function signedIfSpRequires({ sp, verified }: InboundRequest): void {
  if (!verified && sp.wantLogoutMessagesSigned)
    throw new IdpError(
      'MESSAGE_AUTHENTICATION_FAILED',
      `logout message from ${sp.id} is not signed (with a certificate configured for it), and ${sp.id} must sign its logout messages`,
    );
}

/** A message sent to another endpoint (another IdP's, say) is not for this one (SAML core §3.2.1). */
function toThisIdp(fields: ReadonlyMap<string, string>, destinations: readonly string[]): void {
  const destination = fields.get('Destination');
  if (destination !== undefined && !destinations.includes(destination))
    throw malformed(`the logout message is for ${destination}, not this IdP's logout endpoints`);
}

function requestFields(root: XmlElement, fields: ReadonlyMap<string, string>, now: number) {
  const notOnOrAfter = fields.get('NotOnOrAfter');
  if (notOnOrAfter !== undefined && Date.parse(notOnOrAfter) <= now)
    throw malformed('the LogoutRequest has expired (NotOnOrAfter)');
  const children = childElements(root);
  const nameId = children.find((el) => is(el, NS.saml, 'NameID'));
  if (!nameId)
    throw malformed('the LogoutRequest names no NameID (BaseID and EncryptedID are not supported)');
  return {
    nameId: {
      value: nameId.content.trim(),
      format: attribute(nameId, 'Format'),
      nameQualifier: attribute(nameId, 'NameQualifier'),
      spNameQualifier: attribute(nameId, 'SPNameQualifier'),
    },
    sessionIndexes: children
      .filter((el) => is(el, NS.samlp, 'SessionIndex'))
      .map((el) => el.content.trim()),
  };
}

function responseFields(root: XmlElement, fields: ReadonlyMap<string, string>) {
  const status = childElements(root).find((el) => is(el, NS.samlp, 'Status'));
  const top = status && childElements(status).find((el) => is(el, NS.samlp, 'StatusCode'));
  const sub = top && childElements(top).find((el) => is(el, NS.samlp, 'StatusCode'));
  const value = top && attribute(top, 'Value');
  if (!value) throw malformed('the LogoutResponse has no StatusCode');
  return {
    inResponseTo: fields.get('InResponseTo')?.trim(),
    status: value,
    subStatus: sub && attribute(sub, 'Value'),
  };
}

function required(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name)?.trim();
  if (!value) throw malformed(`the logout message has no ${name}`);
  return value;
}
