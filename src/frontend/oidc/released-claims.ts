/**
 * What an account's attributes release to one relying party or resource server, resolved as the
 * grant's authorization record says (label "OIDC/SSO", or "intercept/impersonate" for a token
 * issued under impersonation) and filtered for that requester — at the moment a token is used,
 * never stored with it. Resolved once per request: a token response asks twice (ID token claims,
 * then the audit), an introspection by a resource server twice (the caller's, the token client's).
 * Nothing is released for an account that is no longer active (disabled, locked or gone), nor for
 * a token issued under impersonation once the real user behind it is not: the browser pipeline
 * checks that before release, and the token, userinfo and introspection endpoints check it here,
 * for the token's whole lifetime.
 */
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../core/attribute-values.js';
import type { AccountState } from '../../directory/user-directory.js';
import type { RequestRecords } from './request-records.js';
import { OIDC_SSO_PROFILE } from './oidc-paths.js';

export class ReleasedClaims {
  private readonly perRequest = new WeakMap<
    object,
    Map<string, Promise<AttributeValues | undefined>>
  >();

  constructor(
    private readonly resolver: AttributeResolver,
    private readonly filter: AttributeFilter,
    private readonly records: RequestRecords,
    private readonly accountState: (account: string) => Promise<AccountState>,
  ) {}

  /** The released attributes, or undefined when the account (or the impersonator behind the token) is no longer active. */
  to(
    request: object,
    account: string,
    requester: string,
    grantId: string | undefined,
  ): Promise<AttributeValues | undefined> {
    const cache =
      this.perRequest.get(request) ?? new Map<string, Promise<AttributeValues | undefined>>();
    this.perRequest.set(request, cache);
    const key = `${account}\u0000${requester}\u0000${grantId ?? ''}`;
    let released = cache.get(key);
    if (!released) {
      released = this.release(request, account, requester, grantId);
      cache.set(key, released);
    }
    return released;
  }

  private async release(
    request: object,
    account: string,
    requester: string,
    grantId: string | undefined,
  ): Promise<AttributeValues | undefined> {
    const record = await this.records.get(request, grantId);
    const label = record?.resolutionLabel ?? OIDC_SSO_PROFILE;
    const impersonator = record?.impersonator;
    if (!(await this.usable([account, ...(impersonator ? [impersonator] : [])]))) return undefined;
    const r = await this.resolver.resolve({ principal: account, label });
    return r.principalFound ? this.filter.filter(r.attributes, requester) : undefined;
  }

  /** Whether every account is active: neither disabled, nor locked, nor gone. */
  private async usable(accounts: readonly string[]): Promise<boolean> {
    for (const account of accounts)
      if ((await this.accountState(account)) !== 'active') return false;
    return true;
  }
}
