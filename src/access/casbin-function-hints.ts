/**
 * Index hints for the project's matcher functions (casbin-functions.ts), so rows that speak about
 * attributes are looked up by attribute instead of being evaluated for every request:
 *
 *   hasAttribute(r.attrs, p.x)       rows filed under "NAME" (p.x = attr:NAME) or NAME=VALUE;
 *                                    a request looks up the attributes the user has (with their values)
 *   inAttribute(r.attrs, p.x, r.y)   rows filed under NAME; a request looks up the attributes
 *                                    that list r.y among their values
 *   beyondActor(r.t, r.a, p.x)       rows filed under NAME (p.x = beyond:NAME); a request looks up
 *                                    the attributes whose values in r.t are not all in r.a
 *
 * Rows whose column does not start with "attr:" can never satisfy these functions. Like every
 * hint, these over-approximate: the function itself still decides each row.
 */
import { NEVER, type IndexHint, type RequestKeys } from './engine/index-hints.js';
import { ATTRIBUTE_PREFIX, BEYOND_PREFIX, valuesBeyond } from './casbin-functions.js';

const NOTHING: RequestKeys = { exact: [] };

export const CUSTOM_FUNCTION_HINTS: ReadonlyMap<string, IndexHint> = new Map<string, IndexHint>([
  [
    'hasAttribute',
    {
      name: 'hasAttribute',
      arity: 2,
      policyArgument: 1,
      rowKey(spec) {
        if (typeof spec !== 'string' || !spec.startsWith(ATTRIBUTE_PREFIX)) return NEVER;
        const body = spec.slice(ATTRIBUTE_PREFIX.length);
        const eq = body.indexOf('=');
        return eq === -1 ? hasKey(body) : valueKey(body.slice(0, eq), body.slice(eq + 1));
      },
      requestKeys([attrs]) {
        const entries = attributeEntries(attrs);
        if (!entries) return attrs !== null && typeof attrs === 'object' ? undefined : NOTHING;
        const exact: string[] = [];
        for (const [name, values] of entries) {
          if (values.length > 0) exact.push(hasKey(name));
          for (const v of values) if (typeof v === 'string') exact.push(valueKey(name, v));
        }
        return { exact };
      },
    },
  ],
  [
    'inAttribute',
    {
      name: 'inAttribute',
      arity: 3,
      policyArgument: 1,
      rowKey: (spec) =>
        typeof spec === 'string' && spec.startsWith(ATTRIBUTE_PREFIX)
          ? spec.slice(ATTRIBUTE_PREFIX.length)
          : NEVER,
      requestKeys([attrs, , value]) {
        if (typeof value !== 'string') return NOTHING;
        const entries = attributeEntries(attrs);
        if (!entries) return attrs !== null && typeof attrs === 'object' ? undefined : NOTHING;
        const exact: string[] = [];
        for (const [name, values] of entries) if (values.includes(value)) exact.push(name);
        return { exact };
      },
    },
  ],
  [
    'beyondActor',
    {
      name: 'beyondActor',
      arity: 3,
      policyArgument: 2,
      rowKey: (spec) =>
        typeof spec === 'string' && spec.startsWith(BEYOND_PREFIX)
          ? spec.slice(BEYOND_PREFIX.length)
          : NEVER,
      requestKeys([targetAttrs, attrs]) {
        const entries = attributeEntries(targetAttrs);
        if (!entries)
          return targetAttrs !== null && typeof targetAttrs === 'object' ? undefined : NOTHING;
        const exact = entries
          .filter(([name]) => valuesBeyond(targetAttrs, attrs, name).length > 0)
          .map(([name]) => name);
        return { exact };
      },
    },
  ],
]);

function hasKey(name: string): string {
  return `has\u0000${name}`;
}

function valueKey(name: string, value: string): string {
  return `value\u0000${name}\u0000${value}`;
}

/**
 * The attributes of a plain object whose value is a list, read the way casbin-functions.ts reads
 * them (attrs[name]); undefined for anything else, whose properties could come from elsewhere.
 */
function attributeEntries(attrs: unknown): [string, readonly unknown[]][] | undefined {
  if (attrs === null || typeof attrs !== 'object') return undefined;
  const proto = Object.getPrototypeOf(attrs) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const record = attrs as Record<string, unknown>;
  const entries: [string, readonly unknown[]][] = [];
  for (const name of Object.getOwnPropertyNames(record)) {
    const values = record[name];
    if (Array.isArray(values)) entries.push([name, values as readonly unknown[]]);
  }
  return entries;
}
