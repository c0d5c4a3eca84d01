/**
 * What an account's attributes release to one relying party or resource server, resolved as the
 * grant's authorization record says (label "OIDC/SSO", or "intercept/impersonate" for a token
 * issued under impersonation) and filtered for that requester — at the moment a token is used,
 * never stored with it. Resolved once per request: a token response asks twice (ID token claims,
 * then the audit), an introspection by a resource server twice (the caller's, the token client's).
 */
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../attribute/attribute-values.js';
import type { AuthorizationRecords } from './authorization-records.js';
import { OIDC_SSO_PROFILE } from './oidc-paths.js';

export class ReleasedClaims {
  private readonly perRequest = new WeakMap<object, Map<string, Promise<AttributeValues | undefined>>>();

  constructor(
    private readonly resolver: AttributeResolver,
    private readonly filter: AttributeFilter,
    private readonly records: AuthorizationRecords,
  ) {}

  /** The released attributes, or undefined when the account no longer exists. */
  to(request: object, account: string, requester: string, grantId: string | undefined): Promise<AttributeValues | undefined> {
    const cache = this.perRequest.get(request) ?? new Map<string, Promise<AttributeValues | undefined>>();
    this.perRequest.set(request, cache);
    const key = `${account}\u0000${requester}\u0000${grantId ?? ''}`;
    let released = cache.get(key);
    if (!released) {
      const label = this.records.get(grantId)?.resolutionLabel ?? OIDC_SSO_PROFILE;
      released = this.resolver
        .resolve({ principal: account, label })
        .then((r) => (r.principalFound ? this.filter.filter(r.attributes, requester) : undefined));
      cache.set(key, released);
    }
    return released;
  }
}
