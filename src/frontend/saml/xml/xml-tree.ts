/**
 * The IdP's outbound SAML documents as small element trees, written two ways from the same tree:
 * serialize() gives the document that is sent, and canonicalize() gives the Exclusive XML
 * Canonicalization (xml-exc-c14n, without comments, no InclusiveNamespaces) of a subtree — the
 * bytes an enveloped signature digests. Building the canonical form from the tree instead of
 * re-parsing the serialized text is what makes signing cheap; test/frontend/saml/xml/ checks it
 * byte for byte against libxml2's and xml-crypto's canonicalizers.
 *
 * Only what SAML responses need: every element has a namespace prefix (there is no default
 * namespace to track), no comments, no processing instructions, text and attribute values are any
 * strings (characters XML cannot carry are dropped).
 */

export interface XmlElement {
  /** "saml:Assertion" — always prefixed. */
  readonly name: string;
  /** Namespace declarations written on this element: prefix → URI. */
  readonly namespaces: Readonly<Record<string, string>>;
  /** Attributes in the order they are written; names may be prefixed ("xsi:type"). */
  readonly attributes: readonly (readonly [string, string])[];
  readonly children: (XmlElement | string)[];
}

export function el(
  name: string,
  attributes: Readonly<Record<string, string | undefined>> = {},
  children: readonly (XmlElement | string | undefined)[] = [],
  namespaces: Readonly<Record<string, string>> = {},
): XmlElement {
  if (!name.includes(':')) throw new Error(`element ${name} has no namespace prefix`);
  // Canonicalizers disagree on escaping in namespace URIs (libxml2 and xml-crypto write them
  // raw); the URIs here are constants, so none may need escaping.
  for (const uri of Object.values(namespaces))
    if (/[&<"\s]/.test(uri)) throw new Error(`namespace URI ${uri} needs escaping`);
  return {
    name,
    namespaces,
    attributes: Object.entries(attributes).filter((a): a is [string, string] => a[1] !== undefined),
    children: children.filter((c): c is XmlElement | string => c !== undefined),
  };
}

/** The document as sent: namespace declarations where the tree puts them. */
export function serialize(root: XmlElement): string {
  const parts: string[] = [];
  const write = (e: XmlElement) => {
    parts.push('<', e.name);
    for (const [prefix, uri] of Object.entries(e.namespaces))
      parts.push(' xmlns:', prefix, '="', uri, '"');
    for (const [name, value] of e.attributes)
      parts.push(' ', name, '="', escapeAttribute(value), '"');
    parts.push('>');
    for (const c of e.children) {
      if (typeof c === 'string') parts.push(escapeText(c));
      else write(c);
    }
    parts.push('</', e.name, '>');
  };
  write(root);
  return parts.join('');
}

/**
 * xml-exc-c14n of the subtree at `apex`. `inScope` are the namespace bindings its ancestors
 * declare (exclusive canonicalization renders a declaration where a prefix is visibly used and the
 * nearest rendering ancestor did not already render the same binding — so ancestors only matter
 * for what the prefixes mean, never for what is written).
 */
export function canonicalize(
  apex: XmlElement,
  inScope: ReadonlyMap<string, string> = new Map(),
): string {
  const parts: string[] = [];
  const write = (
    e: XmlElement,
    scope: ReadonlyMap<string, string>,
    rendered: ReadonlyMap<string, string>,
  ) => {
    const here = new Map(scope);
    for (const [prefix, uri] of Object.entries(e.namespaces)) here.set(prefix, uri);
    const used = new Set([prefixOf(e.name)]);
    for (const [name] of e.attributes) if (name.includes(':')) used.add(prefixOf(name));
    const declare: [string, string][] = [];
    const renderedHere = new Map(rendered);
    for (const prefix of used) {
      if (prefix === 'xml') continue;
      const uri = here.get(prefix);
      if (uri === undefined) throw new Error(`prefix ${prefix} of ${e.name} is not declared`);
      if (rendered.get(prefix) !== uri) {
        declare.push([prefix, uri]);
        renderedHere.set(prefix, uri);
      }
    }
    declare.sort(([a], [b]) => compareCodePoints(a, b));
    const attributes = e.attributes.map(([name, value]) => {
      const uri = name.includes(':') ? namespaceOf(prefixOf(name), here) : '';
      return {
        name,
        value,
        uri,
        local: name.includes(':') ? name.slice(name.indexOf(':') + 1) : name,
      };
    });
    attributes.sort(
      (a, b) => compareCodePoints(a.uri, b.uri) || compareCodePoints(a.local, b.local),
    );

    parts.push('<', e.name);
    for (const [prefix, uri] of declare) parts.push(' xmlns:', prefix, '="', uri, '"');
    for (const a of attributes) parts.push(' ', a.name, '="', escapeAttribute(a.value), '"');
    parts.push('>');
    for (const c of e.children) {
      if (typeof c === 'string') parts.push(escapeText(c));
      else write(c, here, renderedHere);
    }
    parts.push('</', e.name, '>');
  };
  write(apex, inScope, new Map());
  return parts.join('');
}

/** The namespace bindings in scope at `target` (declared by it and its ancestors), or undefined when not in the tree. */
export function scopeAt(root: XmlElement, target: XmlElement): Map<string, string> | undefined {
  const walk = (e: XmlElement, scope: Map<string, string>): Map<string, string> | undefined => {
    const here = new Map(scope);
    for (const [prefix, uri] of Object.entries(e.namespaces)) here.set(prefix, uri);
    if (e === target) return scope;
    for (const c of e.children) {
      if (typeof c === 'string') continue;
      const found = walk(c, here);
      if (found) return found;
    }
    return undefined;
  };
  return walk(root, new Map());
}

/** The xml prefix is bound by definition (xml:lang in metadata); it is never declared. */
function namespaceOf(prefix: string, scope: ReadonlyMap<string, string>): string {
  return prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : scope.get(prefix)!;
}

function prefixOf(qname: string): string {
  return qname.slice(0, qname.indexOf(':'));
}

/** UTF-16 code unit order is not code point order above U+FFFF; c14n sorts by code point. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Characters XML 1.0 cannot carry at all are dropped rather than producing invalid XML. */
function xmlChars(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

// c14n's escaping, used for the sent document too, so that parsing it gives back exactly the
// strings of the tree (a literal CR, tab or newline in an attribute would be normalized away).
function escapeText(text: string): string {
  return xmlChars(text).replace(
    /[&<>\r]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })[c]!,
  );
}

function escapeAttribute(value: string): string {
  return xmlChars(value).replace(
    /[&<"\t\n\r]/g,
    (c) =>
      ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[
        c
      ]!,
  );
}
