/**
 * Parsing an inbound SAML message with libxml2 (libxml2-wasm): the one parse every later check —
 * schema, ID uniqueness, signature, the fields — works on, so no two parsers can disagree about
 * what the message says. Refused before parsing: bytes that are not UTF-8, a DTD (entities, XXE),
 * processing instructions other than the XML declaration. The parser itself never loads anything
 * (no network, no external entities) and keeps libxml2's default depth and length limits.
 */
import type { XmlTreeNode } from 'libxml2-wasm';
import { ParseOption, XmlDocument, XmlElement, XmlParseError, XmlXPath } from './libxml2.js';
import { IdpError } from '../../core/errors.js';

export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  ec: 'http://www.w3.org/2001/10/xml-exc-c14n#',
} as const;

const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NO_SYS_CATALOG | ParseOption.XML_PARSE_NOWARNING;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const DECLARATION = /^(\uFEFF)?<\?xml\s[^?]*\?>/;
const DECLARED_ENCODING = /\sencoding\s*=\s*["']([^"']*)["']/;
const PROCESSING_INSTRUCTIONS = XmlXPath.compile('//processing-instruction()');
const ELEMENT_COUNT = XmlXPath.compile('count(//*)');
const NAMESPACE_DECLARATION = /\sxmlns(?::[^\s=/>]+)?\s*=/g;
/**
 * Shape limits. Canonicalization (for the signature) works per element against every namespace in
 * scope and every InclusiveNamespaces prefix: a message of 32 KB made of a thousand namespace
 * declarations and a thousand empty elements costs libxml2 seconds. A real AuthnRequest has a few
 * dozen elements and a handful of declarations.
 */
export const MAX_ELEMENTS = 256;
export const MAX_NAMESPACE_DECLARATIONS = 50;

/** Parses the message; the caller must dispose() the document. */
export function parseSamlXml(bytes: Uint8Array): XmlDocument {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw malformed('AuthnRequest is not UTF-8 text');
  }
  const declaration = DECLARATION.exec(text)?.[0];
  const encoding = declaration && DECLARED_ENCODING.exec(declaration)?.[1];
  if (encoding && !/^utf-?8$/i.test(encoding)) throw malformed(`AuthnRequest declares encoding ${JSON.stringify(encoding)}; only UTF-8 is accepted`);
  if (text.includes('<!DOCTYPE') || text.includes('<!ENTITY')) throw malformed('AuthnRequest contains a DTD (DOCTYPE), which is never accepted');
  if (text.indexOf('<?', declaration?.length ?? 0) !== -1) throw malformed('AuthnRequest contains a processing instruction');
  // Counted on the text, so an occurrence inside a value counts too: that errs on the safe side.
  const declarations = text.match(NAMESPACE_DECLARATION)?.length ?? 0;
  if (declarations > MAX_NAMESPACE_DECLARATIONS) throw malformed(`AuthnRequest declares ${declarations} namespaces; at most ${MAX_NAMESPACE_DECLARATIONS} are accepted`);

  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(bytes, { option: PARSE_OPTIONS, encoding: 'utf-8' });
  } catch (err) {
    const detail = err instanceof XmlParseError ? firstLine(err.message) : String(err);
    throw malformed(`AuthnRequest is not well-formed XML (${detail})`, err);
  }
  try {
    if (doc.dtd !== null) throw malformed('AuthnRequest contains a DTD (DOCTYPE), which is never accepted');
    if (doc.find(PROCESSING_INSTRUCTIONS).length > 0) throw malformed('AuthnRequest contains a processing instruction');
    const elements = doc.eval(ELEMENT_COUNT) as number;
    if (elements > MAX_ELEMENTS) throw malformed(`AuthnRequest has ${elements} elements; at most ${MAX_ELEMENTS} are accepted`);
    const root = doc.root;
    if (root.namespaceUri !== NS.samlp || root.name !== 'AuthnRequest') throw malformed('message is not a SAML 2.0 AuthnRequest');
    return doc;
  } catch (err) {
    doc.dispose();
    throw err;
  }
}

/** Element children of an element, in document order. */
export function childElements(parent: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n: XmlTreeNode | null = parent.firstChild; n; n = n.next) {
    if (n instanceof XmlElement) out.push(n);
  }
  return out;
}

export function is(el: XmlElement, ns: string, localName: string): boolean {
  return el.namespaceUri === ns && el.name === localName;
}

/** An unprefixed attribute's value, or undefined when absent. */
export function attribute(el: XmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name && a.namespaceUri === '')?.value;
}

/** All unprefixed attributes of an element (one pass, for elements read several times). */
export function attributes(el: XmlElement): ReadonlyMap<string, string> {
  return new Map(el.attrs.filter((a) => a.namespaceUri === '').map((a) => [a.name, a.value]));
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

export function malformed(message: string, cause?: unknown): IdpError {
  return new IdpError('MESSAGE_MALFORMED', message, { cause });
}
