/**
 * The NameIDPolicy of an AuthnRequest (SAML core §3.4.1.1), read from the root's own child — the
 * element the request's signature covers — once the schema has admitted the document. What it
 * asks is decided at response time (src/relying-party/name-id-choice.ts), as Shibboleth does.
 */
import type { XmlElement } from 'libxml2-wasm';
import type { NameIdPolicy } from '../../../relying-party/name-id-choice.js';
import { attributes, childElements, is, NS } from '../xml-elements.js';

/** The request's NameIDPolicy, or null when it has none. */
export function nameIdPolicy(root: XmlElement): NameIdPolicy | null {
  const element = childElements(root).find((el) => is(el, NS.samlp, 'NameIDPolicy'));
  if (!element) return null;
  const fields = attributes(element);
  const allowCreate = fields.get('AllowCreate')?.trim();
  return {
    format: fields.get('Format')?.trim() || null,
    allowCreate: allowCreate !== 'false' && allowCreate !== '0',
    spNameQualifier: fields.get('SPNameQualifier') ?? null,
  };
}
