/**
 * Who may introspect or revoke a token, and what an introspection answer tells about its account.
 *
 * - Introspection (RFC 7662): the token's own client, or a resource server that
 *   conf/relying-party.yaml lists for that client (`resourceServers[].introspectTokensOf`) — for
 *   access tokens only; a resource server never learns about refresh tokens. Anyone else gets
 *   `{"active": false}`, the answer for a token the caller "is not allowed to know about"
 *   (RFC 7662 §2.2, §4): it says nothing about whether the token exists, let alone whose it is.
 * - Revocation (RFC 7009): the token's own client only (§2.1: the server "verifies whether the
 *   token was issued to the client making the revocation request"). Anyone else is refused with
 *   400 `unauthorized_client` (§2.2.1 allows RFC 6749 §5.2's errors), and nothing is revoked:
 *   revoking one token revokes its whole grant, which is not a resource server's to end.
 * - Claims in an active introspection answer are computed when it is asked, not stored with the
 *   token: the attributes released to the caller by the attribute filter, limited to the token's
 *   scopes and to what the token's own client receives — a resource server never reads more than
 *   the client it serves, and a client never more than its own filter releases. A token whose
 *   account has left the directory is answered as inactive, as userinfo refuses it.
 * - A token issued at impersonation level delegate names its actor, `act` (act-claim.ts), in every
 *   active answer about it, whatever the filter releases to the caller: it is part of what the
 *   token is, as `sub` is.
 */
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { AttributeDefinition } from '../../attribute/attribute-resolver.js';
import type { RelyingPartyRegistry } from '../../relying-party/relying-party.js';
import { actClaimOf } from './act-claim.js';
import { claimsOf, type ClaimValue } from './claims.js';
import type { ReleasedClaims } from './released-claims.js';
import type { RequestRecords } from './request-records.js';

interface IntrospectedToken {
  readonly kind: string;
  readonly clientId?: string | undefined;
}

export function introspectionAllowed(registry: RelyingPartyRegistry) {
  return (
    _ctx: KoaContextWithOIDC,
    caller: { clientId: string },
    token: IntrospectedToken,
  ): boolean =>
    token.clientId === caller.clientId ||
    (token.kind === 'AccessToken' &&
      token.clientId !== undefined &&
      registry.mayIntrospectTokensOf(caller.clientId, token.clientId));
}

export function revocationAllowed() {
  return (
    _ctx: KoaContextWithOIDC,
    caller: { clientId: string },
    token: IntrospectedToken,
  ): boolean => {
    if (token.clientId === caller.clientId) return true;
    throw new errors.UnauthorizedClient('the token was not issued to this client');
  };
}

/** Adds the account's claims, and a delegated token's actor, to an active introspection answer about an access token. */
export function introspectionClaimsMiddleware(
  release: ReleasedClaims,
  records: RequestRecords,
  definitions: readonly AttributeDefinition[],
) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const asked = activeIntrospection(ctx);
    if (!asked) return;
    const answer = await withClaims(ctx, asked, release, definitions);
    ctx.body = answer.active
      ? { ...answer, ...actClaimOf(await records.get(ctx, asked.token.grantId)) }
      : answer;
  };
}

type AccessToken = NonNullable<KoaContextWithOIDC['oidc']['entities']['AccessToken']>;

/** An access token that names its account and its client. */
type AccountToken = AccessToken & { readonly accountId: string; readonly clientId: string };

/** An introspection answer that gets claims. */
interface ActiveIntrospection {
  /** oidc-provider's answer, active. */
  readonly body: Record<string, unknown>;
  readonly token: AccountToken;
  /** The client or resource server that asked. */
  readonly caller: string;
}

/** The answer, when the request was an introspection answered as active, about an access token, to a known caller. */
function activeIntrospection(ctx: KoaContextWithOIDC): ActiveIntrospection | undefined {
  if (ctx.oidc?.route !== 'introspection') return undefined;
  const body = ctx.body as Record<string, unknown> | undefined;
  const token = ctx.oidc.entities.AccessToken;
  const caller = ctx.oidc.client?.clientId;
  if (body?.active !== true || !isAccountToken(token) || !caller) return undefined;
  return { body, token, caller };
}

function isAccountToken(token: AccessToken | undefined): token is AccountToken {
  return !!token?.accountId && !!token.clientId;
}

/**
 * The answer with the claims released both to the caller and to the token's own client (a
 * resource server never reads more than the client it serves); claims oidc-provider already put in
 * the answer stay as they are.
 */
async function withClaims(
  ctx: KoaContextWithOIDC,
  { body, token, caller }: ActiveIntrospection,
  release: ReleasedClaims,
  definitions: readonly AttributeDefinition[],
): Promise<Record<string, unknown>> {
  const toCaller = await release.to(ctx, token.accountId, caller, token.grantId);
  const toClient =
    caller === token.clientId
      ? toCaller
      : await release.to(ctx, token.accountId, token.clientId, token.grantId);
  if (!toCaller || !toClient) return { active: false }; // the account is gone: as at userinfo, the token is no longer good
  const own = claimsOf(toClient, definitions, token.scopes);
  const claims: Record<string, ClaimValue> = {};
  for (const [name, value] of Object.entries(claimsOf(toCaller, definitions, token.scopes))) {
    if (name in own && !(name in body)) claims[name] = value;
  }
  return { ...body, ...claims };
}
