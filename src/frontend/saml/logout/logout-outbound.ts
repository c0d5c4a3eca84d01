/**
 * The logout messages the IdP sends — LogoutRequests to session participants, LogoutResponses to
 * the SP that asked — built as element trees (xml/xml-tree.ts) and always signed: over HTTP-POST
 * with an enveloped signature of the root (xml/enveloped-signature.ts), over HTTP-Redirect in the
 * query (SAML bindings §3.4.4.1: DEFLATE, base64, then SigAlg and Signature over the octets
 * "SAMLRequest=…&RelayState=…&SigAlg=…"). The SP's endpoint is one of its SingleLogoutServices
 * with one of those two bindings.
 */
import { sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { XmlSigningKey } from '../../../credentials/signing-credential.js';
import type { SamlServiceProvider } from '../../../relying-party/relying-party.js';
import type { SloEndpoint } from '../../../relying-party/saml-endpoints.js';
import type { SamlNameId } from '../../../session/session-participants.js';
import type { MessageParameter } from '../binding-parameters.js';
import { BINDING } from '../saml-bindings.js';
import { statusElement } from '../saml-response.js';
import { signEnveloped } from '../xml/enveloped-signature.js';
import { el, serialize, type XmlElement } from '../xml/xml-tree.js';

const NAMESPACES = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
};
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
/** How long a LogoutRequest the IdP sends is good for (its NotOnOrAfter). */
const REQUEST_VALIDITY_MS = 5 * 60_000;

/** A message on its way: a URL to redirect to, or the fields of an auto-submitting form. */
export type OutboundMessage =
  | { readonly binding: 'redirect'; readonly url: string }
  | {
      readonly binding: 'post';
      readonly action: string;
      readonly name: MessageParameter;
      readonly value: string;
      readonly relayState: string | null;
    };

/** The SP's logout endpoint by Redirect or POST, the preferred binding first; none: undefined. */
export function logoutEndpoint(sp: SamlServiceProvider, prefer?: string): SloEndpoint | undefined {
  const usable = sp.singleLogoutServices.filter(
    (e) => e.binding === BINDING.redirect || e.binding === BINDING.post,
  );
  return usable.find((e) => e.binding === prefer) ?? usable[0];
}

export function logoutRequestXml(c: {
  id: string;
  issuer: string;
  destination: string;
  nameId: SamlNameId;
  sessionIndex: string;
  now: number;
}): XmlElement {
  const { value, format, nameQualifier, spNameQualifier } = c.nameId;
  return el(
    'samlp:LogoutRequest',
    {
      ID: c.id,
      Version: '2.0',
      IssueInstant: iso(c.now),
      Destination: c.destination,
      NotOnOrAfter: iso(c.now + REQUEST_VALIDITY_MS),
    },
    [
      el('saml:Issuer', {}, [c.issuer]),
      el(
        'saml:NameID',
        { NameQualifier: nameQualifier, SPNameQualifier: spNameQualifier, Format: format },
        [value],
      ),
      el('samlp:SessionIndex', {}, [c.sessionIndex]),
    ],
    NAMESPACES,
  );
}

export function logoutResponseXml(c: {
  id: string;
  issuer: string;
  destination: string;
  inResponseTo: string;
  status: string;
  subStatus?: string;
  now: number;
}): XmlElement {
  return el(
    'samlp:LogoutResponse',
    {
      ID: c.id,
      Version: '2.0',
      IssueInstant: iso(c.now),
      Destination: c.destination,
      InResponseTo: c.inResponseTo,
    },
    [el('saml:Issuer', {}, [c.issuer]), statusElement(c.status, c.subStatus)],
    NAMESPACES,
  );
}

/** The message signed and encoded for the endpoint's binding, to `destination`. */
export async function encodeLogoutMessage(
  message: XmlElement,
  name: MessageParameter,
  to: { readonly binding: string; readonly destination: string },
  relayState: string | null,
  key: XmlSigningKey,
): Promise<OutboundMessage> {
  if (to.binding === BINDING.post) {
    await signEnveloped(message, message, key);
    const value = Buffer.from(serialize(message), 'utf8').toString('base64');
    return { binding: 'post', action: to.destination, name, value, relayState };
  }
  const deflated = deflateRawSync(Buffer.from(serialize(message), 'utf8')).toString('base64');
  let octets = `${name}=${encodeURIComponent(deflated)}`;
  if (relayState !== null) octets += `&RelayState=${encodeURIComponent(relayState)}`;
  octets += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
  const signature = sign('sha256', Buffer.from(octets, 'utf8'), key.privateKey).toString('base64');
  const query = `${octets}&Signature=${encodeURIComponent(signature)}`;
  const separator = to.destination.includes('?') ? '&' : '?';
  return { binding: 'redirect', url: `${to.destination}${separator}${query}` };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
