/**
 * Functions the shipped casbin models may call in their matchers, to let a policy row speak about
 * the real user's attributes:
 *
 *   hasAttribute(r.attrs, p.sub)         p.sub = "attr:NAME" (the attribute has any value) or
 *                                        "attr:NAME=VALUE" (it has that value)
 *   inAttribute(r.attrs, p.obj, r.obj)   p.obj = "attr:NAME" and r.obj is one of the attribute's values
 *   beyondActor(r.tattrs, r.attrs, p.obj)
 *                                        p.obj = "beyond:NAME" and the requested account holds a value
 *                                        of NAME that the real user does not: the escalation guard
 *                                        (a target more privileged than the actor)
 *
 * Values are compared exactly; "*" has no special meaning here (unlike Shibboleth's
 * DynamicAttributePredicate, where a typed "*" matched everything).
 */
import type { AttributeValues } from '../core/attribute-values.js';

export const ATTRIBUTE_PREFIX = 'attr:';
export const BEYOND_PREFIX = 'beyond:';

function hasAttribute(attrs: unknown, spec: unknown): boolean {
  if (typeof spec !== 'string' || !spec.startsWith(ATTRIBUTE_PREFIX)) return false;
  const body = spec.slice(ATTRIBUTE_PREFIX.length);
  const eq = body.indexOf('=');
  const values = valuesOf(attrs, eq === -1 ? body : body.slice(0, eq));
  return eq === -1 ? values.length > 0 : values.includes(body.slice(eq + 1));
}

function inAttribute(attrs: unknown, spec: unknown, value: unknown): boolean {
  if (typeof spec !== 'string' || !spec.startsWith(ATTRIBUTE_PREFIX) || typeof value !== 'string')
    return false;
  return valuesOf(attrs, spec.slice(ATTRIBUTE_PREFIX.length)).includes(value);
}

function beyondActor(targetAttrs: unknown, attrs: unknown, spec: unknown): boolean {
  if (typeof spec !== 'string' || !spec.startsWith(BEYOND_PREFIX)) return false;
  const name = spec.slice(BEYOND_PREFIX.length);
  return valuesBeyond(targetAttrs, attrs, name).length > 0;
}

/** The values of attribute `name` the target holds and the actor does not. */
export function valuesBeyond(targetAttrs: unknown, attrs: unknown, name: string): string[] {
  const held = new Set(valuesOf(attrs, name));
  return valuesOf(targetAttrs, name).filter((v) => typeof v === 'string' && !held.has(v));
}

function valuesOf(attrs: unknown, name: string): readonly string[] {
  if (typeof attrs !== 'object' || attrs === null) return [];
  const values = (attrs as AttributeValues)[name];
  return Array.isArray(values) ? (values as readonly string[]) : [];
}

export const CUSTOM_FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => boolean>> = {
  hasAttribute: (a, b) => hasAttribute(a, b),
  inAttribute: (a, b, c) => inAttribute(a, b, c),
  beyondActor: (a, b, c) => beyondActor(a, b, c),
};
