/**
 * Decoding an inbound AuthnRequest (HTTP-Redirect or HTTP-POST binding). The Issuer is read first
 * to find the service provider; samlify then validates the message against the SAML schema and,
 * when the SP's configuration asks for it, its signature. Size limits keep a deflate bomb or a
 * huge POST from costing more than a malformed message.
 */
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import type { Request } from 'express';
import { IdpError } from '../../errors.js';
import type { RelyingPartyRegistry, SamlServiceProvider } from '../../relying-party/relying-party.js';
import type { SamlEntities } from './saml-entities.js';
import { BINDING } from './saml-bindings.js';

const MAX_ENCODED = 64 * 1024;
const MAX_XML = 256 * 1024;
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

export interface DecodedAuthnRequest {
  readonly sp: SamlServiceProvider;
  readonly requestId: string;
  readonly relayState: string | null;
  readonly binding: string;
  readonly signed: boolean;
  readonly forceAuthn: boolean;
  readonly isPassive: boolean;
}

export async function decodeAuthnRequest(
  req: Request,
  binding: 'redirect' | 'post',
  relyingParties: RelyingPartyRegistry,
  entities: SamlEntities,
): Promise<DecodedAuthnRequest> {
  const params = (binding === 'redirect' ? req.query : req.body) as Record<string, unknown>;
  const encoded = params.SAMLRequest;
  if (typeof encoded !== 'string' || encoded === '') throw malformed('no SAMLRequest parameter');
  if (encoded.length > MAX_ENCODED) throw malformed('SAMLRequest is too large');
  const relayState = typeof params.RelayState === 'string' ? params.RelayState : null;
  if (relayState !== null && relayState.length > 1024) throw malformed("RelayState is too long");

  const xml = binding === 'redirect' ? inflate(encoded) : postedXml(encoded);
  const root = parseRoot(xml);
  const issuer = childText(root, SAML, 'Issuer');
  if (!issuer) throw malformed('AuthnRequest has no Issuer');
  const sp = relyingParties.saml(issuer);
  if (!sp) {
    throw new IdpError('UNKNOWN_RELYING_PARTY', `no service provider with entity ID ${JSON.stringify(issuer)} is configured`);
  }

  const samlReq =
    binding === 'redirect'
      ? { query: req.query, octetString: octetString(req) }
      : { body: { SAMLRequest: Buffer.from(xml, 'utf8').toString('base64'), RelayState: relayState ?? undefined } };
  try {
    await entities.idpFor(sp).parseLoginRequest(entities.spFor(sp).forResponse, binding, samlReq);
  } catch (err) {
    const code = String((err as Error).message ?? err);
    if (/SIG|SIGNATURE/i.test(code)) {
      throw new IdpError('MESSAGE_AUTHENTICATION_FAILED', `AuthnRequest from ${issuer} failed signature validation (${code})`, { cause: err });
    }
    throw malformed(`AuthnRequest from ${issuer} is not valid SAML (${code})`, err);
  }

  const acs = root.getAttribute('AssertionConsumerServiceURL');
  if (acs && acs !== sp.assertionConsumerServiceURL) {
    throw malformed(`AssertionConsumerServiceURL ${JSON.stringify(acs)} is not the one configured for ${issuer}`);
  }
  const protocolBinding = root.getAttribute('ProtocolBinding');
  if (protocolBinding && protocolBinding !== BINDING.post) {
    throw malformed(`ProtocolBinding ${JSON.stringify(protocolBinding)} is not supported (only HTTP-POST)`);
  }
  const requestId = root.getAttribute('ID');
  if (!requestId) throw malformed('AuthnRequest has no ID');
  return {
    sp,
    requestId,
    relayState,
    binding: binding === 'redirect' ? BINDING.redirect : BINDING.post,
    signed: binding === 'redirect' ? typeof req.query.Signature === 'string' : root.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature').length > 0,
    forceAuthn: root.getAttribute('ForceAuthn') === 'true' || root.getAttribute('ForceAuthn') === '1',
    isPassive: root.getAttribute('IsPassive') === 'true' || root.getAttribute('IsPassive') === '1',
  };
}

function inflate(encoded: string): string {
  try {
    return inflateRawSync(Buffer.from(encoded, 'base64'), { maxOutputLength: MAX_XML }).toString('utf8');
  } catch (err) {
    throw malformed('SAMLRequest is not deflated base64', err);
  }
}

/**
 * The POST binding carries base64 XML, not deflated; some SPs (node-saml by default) deflate it
 * anyway, so a body that is not XML is given one inflate attempt. The signature, if any, is inside
 * the XML, so nothing about its checking changes.
 */
function postedXml(encoded: string): string {
  const bytes = Buffer.from(encoded, 'base64');
  const text = bytes.toString('utf8');
  if (/^\s*</.test(text.replace(/^\uFEFF/, ''))) return text;
  try {
    return inflateRawSync(bytes, { maxOutputLength: MAX_XML }).toString('utf8');
  } catch {
    return text; // reported as not well-formed below
  }
}

function parseRoot(xml: string) {
  if (xml.length > MAX_XML) throw malformed('AuthnRequest is too large');
  if (/<!DOCTYPE/i.test(xml)) throw malformed('AuthnRequest contains a DTD');
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m) => errors.push(String(m)), fatalError: (m) => errors.push(String(m)) },
  }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (errors.length > 0 || !root) throw malformed(`AuthnRequest is not well-formed XML${errors[0] ? ` (${errors[0]})` : ''}`);
  if (root.namespaceURI !== SAMLP || root.localName !== 'AuthnRequest') throw malformed('message is not a SAML 2.0 AuthnRequest');
  return root;
}

function childText(parent: Element, ns: string, name: string): string | undefined {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    const el = n as Element;
    if (n.nodeType === 1 && el.namespaceURI === ns && el.localName === name) return (el.textContent ?? '').trim();
  }
  return undefined;
}

/** The signed octet string of the Redirect binding, from the query exactly as it was sent. */
function octetString(req: Request): string {
  const raw = req.originalUrl.split('?')[1] ?? '';
  const parts = new Map(raw.split('&').map((kv) => [kv.split('=')[0]!, kv] as const));
  return ['SAMLRequest', 'RelayState', 'SigAlg'].flatMap((k) => (parts.has(k) ? [parts.get(k)!] : [])).join('&');
}

function malformed(message: string, cause?: unknown): IdpError {
  return new IdpError('MESSAGE_MALFORMED', message, { cause });
}
