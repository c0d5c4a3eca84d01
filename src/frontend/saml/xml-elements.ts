/**
 * Reading a parsed SAML message (a libxml2-wasm tree): the namespaces SAML uses, an element's
 * element children, and its unprefixed attributes.
 */
import type { XmlTreeNode } from 'libxml2-wasm';
import { XmlElement } from './libxml2.js';

export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  ec: 'http://www.w3.org/2001/10/xml-exc-c14n#',
} as const;

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
