/**
 * A warning for each relying party to which no attribute-filter.yaml policy releases anything: no
 * policy whose requesters name its id (or "*") permits an attribute. Such a SAML SP gets a NameID
 * and no attributes, such an OpenID Connect client a `sub` and nothing else — what a forgotten
 * filter rule or a mistyped entityID looks like, and found only when someone signs in. Not an
 * error: a relying party may need the identifier alone. Logged as a WARN at start-up and printed
 * by `policy validate`.
 */
import type { AttributeFilterPolicy } from '../attribute/attribute-filter.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { RelyingParty } from './relying-party.js';

/** One line per relying party nothing is released to, naming where it is declared. */
export function relyingPartiesWithoutRelease(
  relyingParties: readonly RelyingParty[],
  policies: readonly AttributeFilterPolicy[],
): string[] {
  const released = (id: string) =>
    policies.some(
      (p) => (p.requesters.includes(id) || p.requesters.includes('*')) && p.permit.length > 0,
    );
  return relyingParties
    .filter((rp) => !released(rp.id))
    .map((rp) =>
      rp.kind === 'saml'
        ? `${rp.declaredAt}: ${rp.id}: no policy in attribute-filter.yaml releases any attribute to this SP (no permit for its entityID or "*"): its responses carry a NameID only`
        : `${rp.declaredAt}: ${rp.id}: no policy in attribute-filter.yaml releases any attribute to this client (no permit for its client id or "*"): its ID tokens carry sub only`,
    );
}

export function warnRelyingPartiesWithoutRelease(
  relyingParties: readonly RelyingParty[],
  policies: readonly AttributeFilterPolicy[],
  log: ProcessLog,
): void {
  for (const line of relyingPartiesWithoutRelease(relyingParties, policies)) log.warn(line);
}
