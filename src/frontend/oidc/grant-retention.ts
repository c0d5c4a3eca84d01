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
 * Under impersonation the limits are those the impersonated subject carries (TokenPolicy), kept on
 * the grant's authorization record.
 *
 * So a plain authorization of a client without refresh tokens keeps its rows about an hour, not the
 * fourteen days of a refresh token. A silent (prompt=none) authorization reuses the grant of an
 * earlier one, and issues tokens that must not outlive it: it extends the grant and its record to
 * the same rule, counted from then (silentReuseMiddleware).
 */
import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { TokenPolicy } from '../../core/request-context.js';
import type { AuthorizationRecord, AuthorizationRecords } from './authorization-records.js';

/** oidc-provider's AuthorizationCode lifetime (seconds). */
export const CODE_LIFETIME_S = 60;

/** A saved grant: it has its id and expiry. */
type SavedGrant = Grant & { readonly jti: string; exp: number };

export interface GrantUse {
  /** The limits on the tokens issued under it (an impersonation's, see TokenPolicy); absent: the configured lifetimes. */
  readonly tokens?: TokenPolicy;
  /** A refresh token may be issued under it (client allowed, offline_access granted). */
  readonly offlineAccess: boolean;
}

export function grantLifetimeMs(oidc: IdpProperties['oidc'], use: GrantUse): number {
  const limits = use.tokens;
  const tokens = limits
    ? limits.lifetimeMs
    : Math.max(oidc.accessTokenLifetimeMs, oidc.idTokenLifetimeMs);
  const refreshes = use.offlineAccess && (limits?.refreshTokens ?? true);
  const refresh = refreshes ? (limits?.lifetimeMs ?? oidc.refreshTokenLifetimeMs) : 0;
  return CODE_LIFETIME_S * 1000 + refresh + tokens;
}

/**
 * The limits on the tokens of an impersonation's grant: those its subject came with (recorded with
 * the grant), never looser than the impersonation limits configured now — so an admin who
 * shortens idp.oidc.impersonation.tokenLifetime or turns idp.oidc.impersonation.refreshTokens off
 * tightens existing impersonations at restart too, while a loosening applies to new ones only. A
 * record an earlier release wrote carries no limits and gets the configured ones, as it did then.
 */
export function tokenPolicyOf(
  oidc: IdpProperties['oidc'],
  record: AuthorizationRecord | undefined,
): TokenPolicy | undefined {
  if (record?.impersonator === undefined) return record?.tokens;
  const configured: TokenPolicy = {
    lifetimeMs: oidc.impersonationTokenLifetimeMs,
    refreshTokens: oidc.impersonationRefreshTokens,
  };
  // A record from before the limits travelled with the subject has none; one that has them keeps
  // them, except where the configuration is now stricter (a tightening applies at restart).
  if (!record.tokens) return configured;
  return {
    lifetimeMs: Math.min(record.tokens.lifetimeMs, configured.lifetimeMs),
    refreshTokens: record.tokens.refreshTokens && configured.refreshTokens,
  };
}

/** Extends a reused grant (and its record) when a silent authorization issues a code under it. */
export function silentReuseMiddleware(oidc: IdpProperties['oidc'], records: AuthorizationRecords) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const grant = grantGivingCode(ctx);
    if (grant) await extendGrant(ctx, grant, oidc, records);
  };
}

/** The reused grant an authorization just issued a code under, if it did. */
function grantGivingCode(ctx: KoaContextWithOIDC): SavedGrant | undefined {
  const { route, entities } = ctx.oidc ?? {};
  const grant = entities?.Grant;
  if (route !== 'authorization' || !entities?.AuthorizationCode || !grant?.jti || !grant.exp)
    return undefined;
  return grant as SavedGrant;
}

/** Extends the grant and its record to the retention rule, counted from now, when that is longer. */
async function extendGrant(
  ctx: KoaContextWithOIDC,
  grant: SavedGrant,
  oidc: IdpProperties['oidc'],
  records: AuthorizationRecords,
): Promise<void> {
  const record = await records.get(grant.jti);
  const offlineAccess =
    grant.getOIDCScope().split(' ').includes('offline_access') &&
    ctx.oidc.client!.grantTypeAllowed('refresh_token');
  const expiresAt =
    Date.now() + grantLifetimeMs(oidc, { tokens: tokenPolicyOf(oidc, record), offlineAccess });
  if (grant.exp * 1000 >= expiresAt) return;
  grant.exp = Math.ceil(expiresAt / 1000);
  await grant.save();
  if (record) await records.extend(grant.jti, expiresAt);
}
