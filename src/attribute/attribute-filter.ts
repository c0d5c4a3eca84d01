/**
 * The attribute filter (Shibboleth's AttributeFilter): per-relying-party release rules. Nothing is
 * released unless a policy that applies to the relying party permits it; a deny in any applicable
 * policy wins over every permit.
 */
import type { AttributeValues } from '../core/attribute-values.js';

export interface AttributeFilterPolicy {
  readonly id: string;
  /** Relying party ids (SAML entity IDs, OIDC client ids) the policy applies to; "*" = all. */
  readonly requesters: readonly string[];
  /** Attribute ids released; "*" = every attribute. */
  readonly permit: readonly string[];
  /** Attribute ids never released to these requesters, whatever another policy permits. */
  readonly deny: readonly string[];
}

export class AttributeFilter {
  constructor(readonly policies: readonly AttributeFilterPolicy[]) {}

  filter(attributes: AttributeValues, relyingPartyId: string): AttributeValues {
    const applicable = this.policies.filter(
      (p) => p.requesters.includes('*') || p.requesters.includes(relyingPartyId),
    );
    const permitted = new Set(applicable.flatMap((p) => p.permit));
    const denied = new Set(applicable.flatMap((p) => p.deny));
    const released: Record<string, readonly string[]> = {};
    for (const [id, values] of Object.entries(attributes)) {
      if ((permitted.has('*') || permitted.has(id)) && !denied.has(id) && !denied.has('*'))
        released[id] = values;
    }
    return released;
  }
}
