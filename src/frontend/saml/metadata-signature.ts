/**
 * The signature of a metadata document from a metadata provider (a signed aggregate), checked by
 * the same code as a POST-binding AuthnRequest's (xml-signature-verifier.ts): exactly one
 * ds:Signature, a direct child of the root (EntitiesDescriptor or EntityDescriptor), one Reference
 * naming the root's ID, enveloped-signature + exclusive C14N only, an allowed algorithm and never
 * SHA-1, verified with the configured certificate only (a KeyInfo is ignored). IDs must be unique
 * in the whole document (a wrapped copy cannot carry the signed ID).
 *
 * The document is parsed by libxml2 without network, external entities or a DTD; the text returned
 * is that parsed tree serialized, so the caller reads exactly what was verified.
 */
import { X509Certificate } from 'node:crypto';
import type { XmlDocument } from 'libxml2-wasm';
import { checkIdUniqueness } from './id-uniqueness.js';
import { firstLine } from './inbound-errors.js';
import { XmlDocument as LxDocument, XmlParseError } from './libxml2.js';
import { verifyEnvelopedSignature } from './xml-signature-verifier.js';
import { PARSE_OPTIONS, UTF8 } from './saml-xml.js';

/** Aggregates are signed with SHA-2 or better: no SP's allowSha1Signatures applies here. */
const POLICY = { id: 'the metadata provider', allowSha1Signatures: false };

/** The document's text as verified; throws an Error saying why it is refused. */
export function verifyMetadataSignature(bytes: Uint8Array, certificatePem: string): string {
  const key = new X509Certificate(certificatePem).publicKey;
  const doc = parse(bytes);
  try {
    checkIdUniqueness(doc);
    verifyEnvelopedSignature(doc, [key], POLICY);
    return doc.toString();
  } catch (err) {
    // The shared checks name the signed root element (here the metadata's): their refusal is kept whole.
    throw new Error(err instanceof Error ? err.message : String(err), { cause: err });
  } finally {
    doc.dispose();
  }
}

function parse(bytes: Uint8Array): XmlDocument {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new Error('is not UTF-8 text');
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error('contains a DTD');
  let doc: XmlDocument;
  try {
    doc = LxDocument.fromBuffer(bytes, { option: PARSE_OPTIONS, encoding: 'utf-8' });
  } catch (err) {
    const detail = err instanceof XmlParseError ? firstLine(err.message) : String(err);
    throw new Error(`is not well-formed XML (${detail})`, { cause: err });
  }
  if (doc.dtd !== null) {
    doc.dispose();
    throw new Error('contains a DTD');
  }
  return doc;
}
