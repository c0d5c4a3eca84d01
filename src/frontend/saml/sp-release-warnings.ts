/**
 * A start-up WARN for each SAML SP to which no attribute-filter.yaml policy releases anything: no
 * policy whose requesters name its entityID (or "*") permits an attribute. Such an SP gets a
 * NameID and no attributes — what a forgotten filter rule or a mistyped entityID looks like, and
 * found only when someone signs in. Not an error: an SP may need the NameID alone.
 */
import type { AttributeFilterPolicy } from '../../attribute/attribute-filter.js';
import type { ProcessLog } from '../../logging/process-log.js';
import type { RelyingParty } from '../../relying-party/relying-party.js';

export function warnSpsWithoutRelease(
  relyingParties: readonly RelyingParty[],
  policies: readonly AttributeFilterPolicy[],
  log: ProcessLog,
): void {
  for (const sp of relyingParties) {
    if (sp.kind !== 'saml') continue;
    const released = policies.some(
      (p) => (p.requesters.includes(sp.id) || p.requesters.includes('*')) && p.permit.length > 0,
    );
    if (!released)
      log.warn(
        `${sp.declaredAt}: ${sp.id}: no policy in attribute-filter.yaml releases any attribute to this SP (no permit for its entityID or "*"): its responses carry a NameID only`,
      );
  }
}
