/**
 * The OpenID Provider engine: panva's oidc-provider (OpenID Certified), configured so that the
 * IdP's pipeline decides every authorization (interaction-policy.ts) and the IdP's directory,
 * resolver and filter produce every claim. Tokens record the grant they came from; the grant's
 * AuthorizationRecord says whether it was an impersonation, which makes those tokens short-lived,
 * refresh-less unless configured, and resolved as the impersonated account for their lifetime.
 */
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeDefinition, AttributeResolver } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../attribute/attribute-values.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { PrivateJwks } from '../../credentials/oidc-signing-keys.js';
import type { OidcClient } from '../../relying-party/relying-party.js';
import type { SqliteDatabase } from '../../storage/sqlite-database.js';
import type { AuthorizationRecords } from './authorization-records.js';
import { claimsByScope, claimsOf } from './claims.js';
import { OIDC_PATHS, OIDC_SSO_PROFILE } from './oidc-paths.js';
import { sqliteAdapterFactory } from './sqlite-oidc-adapter.js';

export interface OpenIdProviderParts {
  readonly props: IdpProperties;
  readonly clients: readonly OidcClient[];
  readonly definitions: readonly AttributeDefinition[];
  readonly resolver: AttributeResolver;
  readonly filter: AttributeFilter;
  readonly records: AuthorizationRecords;
  readonly db: SqliteDatabase;
  readonly jwks: PrivateJwks;
  readonly cookieSecret: string;
  readonly policy: NonNullable<NonNullable<Configuration['interactions']>['policy']>;
  readonly renderError: NonNullable<Configuration['renderError']>;
}

const seconds = (ms: number) => Math.max(1, Math.floor(ms / 1000));

/** The grant behind whatever the current request is issuing or using. */
export function grantIdOf(ctx: KoaContextWithOIDC | undefined, token?: { grantId?: string }): string | undefined {
  const e = ctx?.oidc?.entities;
  return token?.grantId ?? e?.AuthorizationCode?.grantId ?? e?.RefreshToken?.grantId ?? e?.AccessToken?.grantId ?? e?.Grant?.jti;
}

export function createOpenIdProvider(parts: OpenIdProviderParts): Provider {
  const { props, records, resolver, filter, definitions } = parts;
  const oidc = props.oidc;
  const impersonated = (ctx: KoaContextWithOIDC | undefined, token?: { grantId?: string }) =>
    records.get(grantIdOf(ctx, token))?.impersonator !== undefined;
  const byScope = claimsByScope(definitions);
  /**
   * The account's attributes released to the client, resolved as the grant's record says — once
   * per request: a token response asks for them twice (ID token claims, introspection claims).
   */
  const resolved = new WeakMap<object, Map<string, Promise<AttributeValues | undefined>>>();
  const releasedTo = (ctx: KoaContextWithOIDC, account: string, clientId: string, grantId: string | undefined) => {
    const perRequest = resolved.get(ctx) ?? new Map<string, Promise<AttributeValues | undefined>>();
    resolved.set(ctx, perRequest);
    const key = `${account}\u0000${clientId}\u0000${grantId ?? ''}`;
    let released = perRequest.get(key);
    if (!released) {
      const label = records.get(grantId)?.resolutionLabel ?? OIDC_SSO_PROFILE;
      released = resolver
        .resolve({ principal: account, label })
        .then((r) => (r.principalFound ? filter.filter(r.attributes, clientId) : undefined));
      perRequest.set(key, released);
    }
    return released;
  };

  return new Provider(oidc.issuer, {
    adapter: sqliteAdapterFactory(parts.db),
    clients: parts.clients.map((c) => ({
      client_id: c.id,
      client_secret: c.clientSecret,
      client_name: c.displayName,
      redirect_uris: [...c.redirectUris],
      response_types: ['code'],
      grant_types: c.refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
      token_endpoint_auth_method: c.tokenEndpointAuthMethod,
      scope: [...c.scopes, ...(c.refreshTokens ? ['offline_access'] : [])].join(' '),
    })),
    jwks: parts.jwks,
    cookies: { keys: [parts.cookieSecret] },
    claims: byScope,
    scopes: ['openid', 'offline_access', ...Object.keys(byScope)],
    responseTypes: ['code'],
    pkce: { required: () => true },
    conformIdTokenClaims: true,
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    routes: {
      authorization: OIDC_PATHS.authorization,
      token: OIDC_PATHS.token,
      userinfo: OIDC_PATHS.userinfo,
      jwks: OIDC_PATHS.jwks,
      introspection: OIDC_PATHS.introspection,
      revocation: OIDC_PATHS.revocation,
      end_session: OIDC_PATHS.endSession,
      pushed_authorization_request: OIDC_PATHS.pushedAuthorization,
    },
    interactions: {
      policy: parts.policy,
      url: (_ctx, interaction) => `${OIDC_PATHS.interaction}/${interaction.uid}`,
    },
    // Tokens outlive oidc-provider's session, which only carries one authorization.
    expiresWithSession: () => false,
    // Only a grant made for the account the session now holds may answer a silent request.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      const grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      return grant && grant.accountId === ctx.oidc.session?.accountId ? grant : undefined;
    },
    issueRefreshToken: (ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      code.scopes.has('offline_access') &&
      (oidc.impersonationRefreshTokens || !impersonated(ctx, code)),
    ttl: {
      AccessToken: (ctx, token) => seconds(impersonated(ctx, token) ? oidc.impersonationTokenLifetimeMs : oidc.accessTokenLifetimeMs),
      IdToken: (ctx) => seconds(impersonated(ctx) ? oidc.impersonationTokenLifetimeMs : oidc.idTokenLifetimeMs),
      RefreshToken: (ctx, token) => seconds(impersonated(ctx, token) ? oidc.impersonationTokenLifetimeMs : oidc.refreshTokenLifetimeMs),
      AuthorizationCode: 60,
      Grant: seconds(oidc.refreshTokenLifetimeMs),
      Interaction: seconds(props.flowTimeoutMs),
      Session: seconds(props.session.maxLifetimeMs),
    },
    findAccount: async (ctx, sub, token) => {
      const clientId = (token as { clientId?: string } | undefined)?.clientId ?? ctx.oidc.client?.clientId ?? '';
      const released = await releasedTo(ctx, sub, clientId, grantIdOf(ctx, token));
      if (!released) return undefined;
      // oidc-provider masks these by the granted scopes and the ID token / userinfo rules.
      return { accountId: sub, claims: () => ({ sub, ...claimsOf(released, definitions) }) };
    },
    // Introspection of an access token answers with the claims of its scopes, as userinfo would.
    extraTokenClaims: async (ctx, token) => {
      if (token.kind !== 'AccessToken' || !('accountId' in token)) return undefined;
      const released = await releasedTo(ctx, token.accountId, token.clientId ?? '', token.grantId);
      return released && claimsOf(released, definitions, token.scopes);
    },
    renderError: parts.renderError,
  });
}
