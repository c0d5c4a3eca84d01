/**
 * Parsing an inbound SAML message with libxml2 (libxml2-wasm): the one parse every later check —
 * schema, ID uniqueness, signature, the fields — works on, so no two parsers can disagree about
 * what the message says. Refused before parsing: bytes that are not UTF-8, a DTD (entities, XXE),
 * processing instructions other than the XML declaration. The parser itself never loads anything
 * (no network, no external entities) and keeps libxml2's default depth and length limits.
 *
 * The checks run in the order of the two lists below: on the text first (cheap, and before
 * libxml2 sees anything), then on the parsed document.
 */
import { ParseOption, XmlDocument, XmlParseError, XmlXPath } from './libxml2.js';
import { firstLine, malformed } from './inbound-errors.js';
import { NS } from './xml-elements.js';

/** libxml2 without network, external entities or system catalogs: for every document read from outside. */
export const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET |
  ParseOption.XML_PARSE_NO_XXE |
  ParseOption.XML_PARSE_NO_SYS_CATALOG |
  ParseOption.XML_PARSE_NOWARNING;
export const UTF8 = new TextDecoder('utf-8', { fatal: true });
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
const MAX_ELEMENTS = 256;
const MAX_NAMESPACE_DECLARATIONS = 50;

/** The message as UTF-8 text, and its XML declaration when it starts with one. */
interface MessageText {
  readonly text: string;
  readonly declaration: string | undefined;
}

/** On the text, in order, before parsing. */
const TEXT_CHECKS: readonly ((message: MessageText) => void)[] = [
  onlyUtf8Declared,
  noDtdInText,
  noProcessingInstructionInText,
  fewNamespaceDeclarations,
];

/** On the parsed document, in order: what the text checks cannot be sure of, and the root. */
const DOCUMENT_CHECKS: readonly ((doc: XmlDocument) => void)[] = [
  noDtd,
  noProcessingInstruction,
  fewElements,
];

/**
 * Parses the message, whose root must be one of `roots` (samlp elements: the SSO endpoints take an
 * AuthnRequest); the caller must dispose() the document.
 */
export function parseSamlXml(
  bytes: Uint8Array,
  roots: readonly string[] = ['AuthnRequest'],
): XmlDocument {
  const message = messageText(bytes);
  for (const check of TEXT_CHECKS) check(message);
  const doc = parse(bytes);
  try {
    for (const check of DOCUMENT_CHECKS) check(doc);
    rootIsOneOf(doc, roots);
    return doc;
  } catch (err) {
    doc.dispose();
    throw err;
  }
}

function messageText(bytes: Uint8Array): MessageText {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw malformed('AuthnRequest is not UTF-8 text');
  }
  return { text, declaration: DECLARATION.exec(text)?.[0] };
}

/** libxml2 would decode another declared encoding; the message is read as UTF-8 only. */
function onlyUtf8Declared({ declaration }: MessageText): void {
  const encoding = declaration && DECLARED_ENCODING.exec(declaration)?.[1];
  if (encoding && !/^utf-?8$/i.test(encoding))
    throw malformed(
      `AuthnRequest declares encoding ${JSON.stringify(encoding)}; only UTF-8 is accepted`,
    );
}

/** A DTD brings entities (expansion bombs, XXE): refused before libxml2 reads one. */
function noDtdInText({ text }: MessageText): void {
  if (text.includes('<!DOCTYPE') || text.includes('<!ENTITY'))
    throw malformed('AuthnRequest contains a DTD (DOCTYPE), which is never accepted');
}

/** Nothing but the XML declaration may look like a processing instruction. */
function noProcessingInstructionInText({ text, declaration }: MessageText): void {
  if (text.indexOf('<?', declaration?.length ?? 0) !== -1)
    throw malformed('AuthnRequest contains a processing instruction');
}

/** Canonicalization's cost grows with the namespaces in scope (see MAX_NAMESPACE_DECLARATIONS). */
function fewNamespaceDeclarations({ text }: MessageText): void {
  // Counted on the text, so an occurrence inside a value counts too: that errs on the safe side.
  const declarations = text.match(NAMESPACE_DECLARATION)?.length ?? 0;
  if (declarations > MAX_NAMESPACE_DECLARATIONS)
    throw malformed(
      `AuthnRequest declares ${declarations} namespaces; at most ${MAX_NAMESPACE_DECLARATIONS} are accepted`,
    );
}

function parse(bytes: Uint8Array): XmlDocument {
  try {
    return XmlDocument.fromBuffer(bytes, { option: PARSE_OPTIONS, encoding: 'utf-8' });
  } catch (err) {
    const detail = err instanceof XmlParseError ? firstLine(err.message) : String(err);
    throw malformed(`AuthnRequest is not well-formed XML (${detail})`, err);
  }
}

/** What libxml2 parsed, in case the text check missed a spelling of a DTD. */
function noDtd(doc: XmlDocument): void {
  if (doc.dtd !== null)
    throw malformed('AuthnRequest contains a DTD (DOCTYPE), which is never accepted');
}

/** What libxml2 parsed, in case the text check missed a spelling of a processing instruction. */
function noProcessingInstruction(doc: XmlDocument): void {
  if (doc.find(PROCESSING_INSTRUCTIONS).length > 0)
    throw malformed('AuthnRequest contains a processing instruction');
}

/** Canonicalization's cost grows with the elements (see MAX_ELEMENTS). */
function fewElements(doc: XmlDocument): void {
  const elements = doc.eval(ELEMENT_COUNT) as number;
  if (elements > MAX_ELEMENTS)
    throw malformed(`AuthnRequest has ${elements} elements; at most ${MAX_ELEMENTS} are accepted`);
}

/** The messages the endpoint takes (the SSO endpoints: an AuthnRequest only). */
function rootIsOneOf(doc: XmlDocument, roots: readonly string[]): void {
  const root = doc.root;
  if (root.namespaceUri !== NS.samlp || !roots.includes(root.name))
    throw malformed(`message is not a SAML 2.0 ${roots.join(' or ')}`);
}
