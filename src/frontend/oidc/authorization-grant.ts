/**
 * What happens when the pipeline has answered an authorization: a fresh grant for the effective
 * account with the scopes the client may have, its authorization record (authorization-records.ts)
 * and the interaction resumed in oidc-provider with that grant — a redirect back to it.
 */
import type Provider from 'oidc-provider';
import type { AttributeDefinition } from '../../attribute/attribute-resolver.js';
import { AuditField } from '../../audit/audit-fields.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { HttpExchange } from '../../core/http-exchange.js';
import type { ResolvedContext, TokenPolicy } from '../../core/request-context.js';
import type { OidcClient } from '../../relying-party/relying-party.js';
import type { AuthorizationRecord, AuthorizationRecords } from './authorization-records.js';
import { claimsOf } from './claims.js';
import { grantLifetimeMs } from './grant-retention.js';
import { OIDC_SSO_PROFILE } from './oidc-paths.js';

/** What granting needs of the front-end. */
interface GrantParts {
  readonly provider: Provider;
  readonly records: AuthorizationRecords;
  readonly props: IdpProperties;
  readonly definitions: readonly AttributeDefinition[];
}

/** Grants the client the requested scopes it may have, records the grant, resumes the interaction. */
export async function resumeWithGrant(
  parts: GrantParts,
  exchange: HttpExchange,
  prc: ResolvedContext,
  client: OidcClient,
  requestedScope: string,
): Promise<void> {
  const { req, res } = exchange;
  const subject = prc.subject;
  const impersonation = subject.impersonation;
  const scopes = grantedScopes(requestedScope, client, impersonation?.tokens);
  // Kept as long as tokens can be issued and used under it (grant-retention.ts), no longer.
  const lifetimeMs = grantLifetimeMs(parts.props.oidc, {
    tokens: impersonation?.tokens,
    offlineAccess: scopes.includes('offline_access'),
  });

  const grant = new parts.provider.Grant({
    accountId: subject.principalName,
    clientId: client.id,
  });
  Object.assign(grant, { expiresIn: Math.ceil(lifetimeMs / 1000) });
  grant.addOIDCScope(scopes.join(' '));
  const grantId = await grant.save();
  await parts.records.put({
    grantId,
    clientId: client.id,
    subject: subject.principalName,
    impersonator: impersonation?.impersonator,
    resolutionLabel: impersonation?.resolutionLabel ?? OIDC_SSO_PROFILE,
    tokens: impersonation?.tokens,
    requestedTarget: requestedTargetOf(prc),
    reason: impersonation?.reason,
    level: impersonation?.level,
    claims: Object.keys(claimsOf(prc.attributes.filtered, parts.definitions, new Set(scopes))),
    sso: subject.sso,
    authnInstant: subject.authnInstant,
    authnMethod: subject.authnMethod,
    startTime: prc.startTime,
    expiresAt: Date.now() + lifetimeMs,
  });
  const returnTo = await parts.provider.interactionResult(
    req,
    res,
    {
      login: {
        accountId: subject.principalName,
        ts: Math.floor(subject.authnInstant / 1000),
        remember: false,
      },
      consent: { grantId },
      idp: { grantId },
    },
    { mergeWithLastSubmission: false },
  );
  res.redirect(303, returnTo);
}

/**
 * The scopes granted: those requested that the client may have (openid always) — offline_access
 * only where a refresh token can be issued, so the token response's scope says what the client got.
 */
function grantedScopes(requested: string, client: OidcClient, tokens?: TokenPolicy): string[] {
  const offline = client.refreshTokens && (tokens?.refreshTokens ?? true);
  const allowed = new Set([...client.scopes, ...(offline ? ['offline_access'] : [])]);
  return [...new Set(['openid', ...requested.split(' ').filter((s) => allowed.has(s))])];
}

/** The target named on the impersonate form, as the flow left it in the request's audit fields. */
function requestedTargetOf(prc: ResolvedContext): AuthorizationRecord['requestedTarget'] {
  const typed = prc.audit[AuditField.REQUESTED_TARGET]?.[0];
  const account = prc.audit[AuditField.REQUESTED_TARGET_CANONICAL]?.[0];
  return typed !== undefined && account !== undefined ? { typed, account } : undefined;
}
