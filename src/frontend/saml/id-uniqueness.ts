/**
 * Every ID-like attribute in the message (any attribute whose local name is ID, Id or id, in any
 * namespace, xml:id included) must have a value no other one has. A signature Reference names its
 * element by such a value; with duplicates, the element a verifier digests and the element the
 * IdP reads could be two different elements (signature wrapping).
 */
import type { XmlAttribute, XmlDocument } from 'libxml2-wasm';
import { XmlXPath } from './libxml2.js';
import { malformed } from './inbound-errors.js';

const ID_ATTRIBUTES = XmlXPath.compile(
  "//@*[local-name()='ID' or local-name()='Id' or local-name()='id']",
);

export function checkIdUniqueness(doc: XmlDocument): void {
  const seen = new Set<string>();
  for (const attr of doc.find(ID_ATTRIBUTES) as XmlAttribute[]) {
    const value = attr.value.trim();
    if (seen.has(value))
      throw malformed(
        `AuthnRequest has more than one element with the ID ${JSON.stringify(value)}`,
      );
    seen.add(value);
  }
}
