/**
 * Building and taking apart SAML request messages for tests that attack the IdP's decoder: XML
 * signed with xml-crypto (as node-saml does) under any key and options, DOM surgery with
 * @xmldom/xmldom, and the two bindings' encodings — all from messages a real SP library produced.
 */
import { createSign } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

export const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const DS = 'http://www.w3.org/2000/09/xmldsig#';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export function parseXml(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

export function serialize(node: Document | Element): string {
  return new XMLSerializer().serializeToString(node);
}

export function root(doc: Document): Element {
  return doc.documentElement;
}

/** Element children with this namespace and local name, anywhere below `node`. */
export function elements(node: Document | Element, ns: string, localName: string): Element[] {
  return Array.from(node.getElementsByTagNameNS(ns, localName));
}

/** An unsigned AuthnRequest as an SP would send it. */
export function authnRequestXml(o: {
  id?: string;
  issuer: string;
  acs?: string;
  extensions?: string;
  attributes?: string;
}): string {
  const acs = o.acs ? ` AssertionConsumerServiceURL="${o.acs}"` : '';
  const ext = o.extensions ? `<samlp:Extensions>${o.extensions}</samlp:Extensions>` : '';
  return (
    `<samlp:AuthnRequest xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="${o.id ?? `_${Math.random().toString(16).slice(2)}`}" Version="2.0" ` +
    `IssueInstant="${new Date().toISOString()}"${acs}${o.attributes ?? ''}><saml:Issuer>${o.issuer}</saml:Issuer>${ext}</samlp:AuthnRequest>`
  );
}

export interface SignOptions {
  readonly privateKey: string;
  /** Certificate put into KeyInfo (an attacker's own, say); none by default. */
  readonly keyInfoCert?: string;
  /** XPath of the signed element (default: the root). */
  readonly xpath?: string;
  /** Where the Signature goes: after this element (default: the root's Issuer). */
  readonly after?: string;
  readonly isEmptyUri?: boolean;
  readonly transforms?: string[];
  readonly canonicalization?: string;
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
}

/** An enveloped signature computed by xml-crypto, so it verifies wherever its rules allow. */
export function signXml(xml: string, o: SignOptions): string {
  const sig = new SignedXml({
    privateKey: o.privateKey,
    publicCert: o.keyInfoCert,
    signatureAlgorithm: o.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm: o.canonicalization ?? EXC_C14N,
    getKeyInfoContent: o.keyInfoCert
      ? (args) => SignedXml.getKeyInfoContent(args ?? {})
      : () => null,
  });
  sig.addReference({
    xpath: o.xpath ?? '/*',
    transforms: o.transforms ?? [ENVELOPED, EXC_C14N],
    digestAlgorithm: o.digestAlgorithm ?? SHA256,
    isEmptyUri: o.isEmptyUri ?? false,
  });
  sig.computeSignature(xml, {
    location: { reference: o.after ?? "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

/** POST binding form fields (plain base64, as SAML's binding says). */
export function postFields(xml: string, relayState = 'relay-post'): Record<string, string> {
  return { SAMLRequest: Buffer.from(xml, 'utf8').toString('base64'), RelayState: relayState };
}

/** Parses a Redirect-binding URL into its raw (still URL-encoded) query parameters, in order. */
export function rawQuery(url: string): [string, string][] {
  return new URL(url).search
    .slice(1)
    .split('&')
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]);
}

/** The XML inside a Redirect-binding URL. */
export function redirectXml(url: string): string {
  const raw = rawQuery(url).find(([k]) => k === 'SAMLRequest')![1];
  return inflateRawSync(Buffer.from(decodeURIComponent(raw), 'base64')).toString('utf8');
}

export function deflateParam(xml: string): string {
  return encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'));
}

/** A Redirect-binding query signed with `privateKey` (SAML bindings §3.4.4.1), or unsigned. */
export function redirectQuery(
  xml: string,
  o: { relayState?: string; privateKey?: string; sigAlg?: string } = {},
): string {
  let query = `SAMLRequest=${deflateParam(xml)}`;
  if (o.relayState !== undefined) query += `&RelayState=${encodeURIComponent(o.relayState)}`;
  if (!o.privateKey) return query;
  const sigAlg = o.sigAlg ?? RSA_SHA256;
  query += `&SigAlg=${encodeURIComponent(sigAlg)}`;
  const signer = createSign(sigAlg === RSA_SHA1 ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(query);
  return `${query}&Signature=${encodeURIComponent(signer.sign(o.privateKey, 'base64'))}`;
}
