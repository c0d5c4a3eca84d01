/**
 * How long a grant — and the authorization record beside it — is kept: as long as anything can
 * still be issued or used under it, and no longer.
 *
 *   code lifetime (the code is redeemed within it)
 *   + refresh token lifetime, when a refresh token can be issued under the grant (the client has
 *     refreshTokens, offline_access was granted, and — under impersonation —
 *     idp.oidc.impersonation.refreshTokens allows it); a refresh just before the refresh token
 *     expires still issues tokens
 *   + the longest access / ID token lifetime (under impersonation: the impersonation lifetime)
 *
 * So a plain authorization of a client without refresh tokens keeps its rows about an hour, not the
 * fourteen days of a refresh token. A silent (prompt=none) authorization reuses the grant of an
 * earlier one, and issues tokens that must not outlive it: it extends the grant and its record to
 * the same rule, counted from then (silentReuseMiddleware).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { AuthorizationRecords } from './authorization-records.js';

/** oidc-provider's AuthorizationCode lifetime (seconds). */
export const CODE_LIFETIME_S = 60;

export interface GrantUse {
  /** Issued under impersonation. */
  readonly impersonated: boolean;
  /** A refresh token may be issued under it (client allowed, offline_access granted). */
  readonly offlineAccess: boolean;
}

export function grantLifetimeMs(oidc: IdpProperties['oidc'], use: GrantUse): number {
  const tokens = use.impersonated ? oidc.impersonationTokenLifetimeMs : Math.max(oidc.accessTokenLifetimeMs, oidc.idTokenLifetimeMs);
  const refreshes = use.offlineAccess && (!use.impersonated || oidc.impersonationRefreshTokens);
  const refresh = refreshes ? (use.impersonated ? oidc.impersonationTokenLifetimeMs : oidc.refreshTokenLifetimeMs) : 0;
  return CODE_LIFETIME_S * 1000 + refresh + tokens;
}

/** Extends a reused grant (and its record) when a silent authorization issues a code under it. */
export function silentReuseMiddleware(oidc: IdpProperties['oidc'], records: AuthorizationRecords) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const { route, entities } = ctx.oidc ?? {};
    const code = entities?.AuthorizationCode;
    const grant = entities?.Grant;
    if (route !== 'authorization' || !code || !grant?.jti || !grant.exp) return;
    const record = records.get(grant.jti);
    const offlineAccess = grant.getOIDCScope().split(' ').includes('offline_access') && ctx.oidc.client!.grantTypeAllowed('refresh_token');
    const expiresAt = Date.now() + grantLifetimeMs(oidc, { impersonated: record?.impersonator !== undefined, offlineAccess });
    if (grant.exp * 1000 >= expiresAt) return;
    grant.exp = Math.ceil(expiresAt / 1000);
    await grant.save();
    if (record) records.extend(grant.jti, expiresAt);
  };
}
