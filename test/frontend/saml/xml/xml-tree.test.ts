/**
 * The canonical bytes the IdP signs are computed from its element trees, not by re-parsing what
 * it sends. That is only sound if they are exactly what a verifier computes from the document it
 * receives: here random trees (hostile text and attribute values — markup, quotes, tabs, CR/LF,
 * astral and unencodable characters — nested, with namespaces declared at several levels) are
 * serialized, parsed back, and canonicalized by two independent implementations, libxml2's (the
 * C library under xmlsec) and xml-crypto's, at the root and at an inner element; all three must
 * agree byte for byte.
 */
import { DOMParser } from '@xmldom/xmldom';
import fc from 'fast-check';
import { XmlC14NMode, XmlDocument, type XmlElement as Libxml2Element } from 'libxml2-wasm';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  el,
  scopeAt,
  serialize,
  type XmlElement,
} from '../../../../src/frontend/saml/xml/xml-tree.js';
import { fuzzParameters } from '../../../support/fuzz.js';

const NS = { a: 'urn:test:a', b: 'urn:test:b', c: 'http://test.example/c?x=1' };
/** Inner declarations: the same binding again (redundant) or the prefix bound to another URI. */
const REDECLARATIONS = [
  ...Object.entries(NS),
  ['b', 'urn:test:other'],
  ['c', 'urn:test:a'],
] as const;
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 8, unit: 'binary' }),
  fc.constantFrom(
    'a & b < c > d',
    '"quoted" \'apos\'',
    'tab\there',
    'cr\r\nlf\n',
    ' lead and trail ',
    '𝔞𝔟',
    '\u0000\uFFFE\uD800',
    ']]>',
  ),
);

const tree: fc.Arbitrary<XmlElement> = fc
  .letrec<{ node: XmlElement }>((tie) => ({
    node: fc
      .record({
        prefix: fc.constantFrom('a', 'b', 'c'),
        local: fc.constantFrom('Root', 'Item', 'Value', 'x'),
        attributes: fc.dictionary(
          fc.constantFrom('ID', 'Name', 'z', 'Z', 'a:attr', 'b:attr', 'c:q', 'xml:lang'),
          text,
          { maxKeys: 4 },
        ),
        declare: fc.subarray([...REDECLARATIONS]),
        children: fc.array(
          fc.oneof({ weight: 2, arbitrary: text }, { weight: 1, arbitrary: tie('node') }),
          { maxLength: 3 },
        ),
      })
      .map(({ prefix, local, attributes, declare, children }) =>
        el(`${prefix}:${local}`, attributes, children, Object.fromEntries(declare)),
      ),
  }))
  .node.map((root) => ({ ...root, namespaces: NS })); // every prefix bound at the root; inner re-declarations are redundant

function innerElement(root: XmlElement): XmlElement {
  for (const c of root.children)
    if (typeof c !== 'string') return innerElement(c) === c ? c : innerElement(c);
  return root;
}

/** The element at the same position in a parsed copy, found by walking the same child indexes. */
function pathTo(root: XmlElement, target: XmlElement): number[] | undefined {
  if (root === target) return [];
  const elements = root.children.filter((c): c is XmlElement => typeof c !== 'string');
  for (const [i, child] of elements.entries()) {
    const rest = pathTo(child, target);
    if (rest) return [i, ...rest];
  }
  return undefined;
}

function xmlCryptoC14n(xml: string, path: number[]): string {
  let node: Element = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  for (const i of path) {
    const elements: Element[] = [];
    for (let n = node.firstChild; n; n = n.nextSibling)
      if (n.nodeType === 1) elements.push(n as Element);
    node = elements[i]!;
  }
  return new ExclusiveCanonicalization().process(node, {});
}

function libxml2C14n(xml: string, path: number[]): string {
  const doc = XmlDocument.fromString(xml);
  try {
    let node: Libxml2Element = doc.root;
    for (const i of path) {
      let child = node.firstChild;
      let seen = -1;
      for (; child; child = child.next)
        if (child instanceof (doc.root.constructor as typeof Libxml2Element) && ++seen === i) break;
      node = child as Libxml2Element;
    }
    return node.canonicalizeToString({ mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0 });
  } finally {
    doc.dispose();
  }
}

describe('exclusive canonicalization from the tree', () => {
  it('matches libxml2 and xml-crypto on the parsed document, at the root and at an inner element', () => {
    fc.assert(
      fc.property(tree, (root) => {
        const xml = serialize(root);
        const inner = innerElement(root);
        for (const target of [root, inner]) {
          const path = pathTo(root, target)!;
          const ours = canonicalize(target, scopeAt(root, target));
          expect(libxml2C14n(xml, path), xml).toBe(ours);
          expect(xmlCryptoC14n(xml, path), xml).toBe(ours);
        }
      }),
      fuzzParameters(400),
    );
  });
});
