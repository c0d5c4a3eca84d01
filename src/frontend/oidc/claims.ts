/**
 * The one mapping from attributes to OpenID Connect claims: an attribute definition with an `oidc`
 * encoding (conf/attribute-resolver.yaml) becomes claim `oidc.claim`, requested by scope
 * `oidc.scope`. What a client receives is what the attribute filter releases to it, limited to
 * the scopes it was granted.
 */
import type { AttributeDefinition } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../core/attribute-values.js';

export type ClaimValue = string | string[];

/** oidc-provider's `claims` configuration: scope → claim names. */
export function claimsByScope(
  definitions: readonly AttributeDefinition[],
): Record<string, string[]> {
  const byScope: Record<string, string[]> = { openid: ['sub'] };
  for (const d of definitions) {
    if (d.oidc) (byScope[d.oidc.scope] ??= []).push(d.oidc.claim);
  }
  return byScope;
}

/** Claims for released attributes, optionally only those of the given scopes. */
export function claimsOf(
  released: AttributeValues,
  definitions: readonly AttributeDefinition[],
  scopes?: ReadonlySet<string>,
): Record<string, ClaimValue> {
  const claims: Record<string, ClaimValue> = {};
  for (const d of definitions) {
    const values = released[d.id];
    if (!d.oidc || !values || values.length === 0) continue;
    if (scopes && !scopes.has(d.oidc.scope)) continue;
    claims[d.oidc.claim] = d.oidc.multiValued ? [...values] : values[0]!;
  }
  return claims;
}
