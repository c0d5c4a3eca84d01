/**
 * The OpenID Provider engine: panva's oidc-provider (OpenID Certified), configured so that the
 * IdP's pipeline decides every authorization (interaction-policy.ts) and the IdP's directory,
 * resolver and filter produce every claim. Tokens record the grant they came from; the grant's
 * AuthorizationRecord says whether it was an impersonation, and carries the limits the impersonated
 * subject came with (TokenPolicy), which make those tokens short-lived and refresh-less unless
 * configured; they are resolved as the impersonated account for their lifetime.
 * Introspection and revocation are limited to the token's own client and the resource servers an
 * admin lists for it (token-access.ts).
 */
import Provider, {
  type Adapter,
  type ClientMetadata,
  type Configuration,
  type FindAccount,
  type Grant,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeDefinition, AttributeResolver } from '../../attribute/attribute-resolver.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { PrivateJwks } from '../../credentials/oidc-signing-keys.js';
import type { RelyingPartyRegistry } from '../../relying-party/relying-party.js';
import { ACT_CLAIM, actClaimOf } from './act-claim.js';
import { claimsByScope, claimsOf } from './claims.js';
import { CODE_LIFETIME_S, grantLifetimeMs, tokenPolicyOf } from './grant-retention.js';
import type { TokenPolicy } from '../../core/request-context.js';
import type { AccountState } from '../../directory/user-directory.js';
import { OIDC_PATHS } from './oidc-paths.js';
import {
  clientAuthentication,
  explainPkceFailures,
  formPostFormAction,
  includeSidInIdTokens,
} from './protocol-details.js';
import { ReleasedClaims } from './released-claims.js';
import type { RequestRecords } from './request-records.js';
import {
  introspectionAllowed,
  introspectionClaimsMiddleware,
  revocationAllowed,
} from './token-access.js';

export interface OpenIdProviderParts {
  readonly props: IdpProperties;
  readonly relyingParties: RelyingPartyRegistry;
  readonly definitions: readonly AttributeDefinition[];
  readonly resolver: AttributeResolver;
  readonly filter: AttributeFilter;
  /** The authorization records, read once per request (request-records.ts). */
  readonly records: RequestRecords;
  /** The directory's verdict on an account (for the real user behind an impersonation's tokens). */
  readonly accountState: (account: string) => Promise<AccountState>;
  /** oidc-provider's persistence: the SQLite or the shared Redis adapter (src/wiring/front-end-stores.ts). */
  readonly adapter: new (model: string) => Adapter;
  readonly jwks: PrivateJwks;
  readonly cookieSecret: string;
  readonly policy: NonNullable<NonNullable<Configuration['interactions']>['policy']>;
  readonly renderError: NonNullable<Configuration['renderError']>;
  /** The end-session endpoint's confirmation and success pages (oidc-logout.ts). */
  readonly logoutPages: LogoutPages;
}

export type LogoutPages = Pick<
  NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>,
  'logoutSource' | 'postLogoutSuccessSource'
>;

const seconds = (ms: number) => Math.max(1, Math.floor(ms / 1000));

/** The token limits of a grant (of the current request, or the token's) made for an impersonation. */
type TokenLimits = (
  ctx: KoaContextWithOIDC | undefined,
  token?: { grantId?: string },
) => TokenPolicy | undefined;

/** The grant behind whatever the current request is issuing or using. */
function grantIdOf(
  ctx: KoaContextWithOIDC | undefined,
  token?: { grantId?: string },
): string | undefined {
  return token?.grantId ?? entitiesGrantId(ctx?.oidc?.entities);
}

/** The grant of what oidc-provider loaded for the request, the first of: code, refresh token, access token, grant. */
function entitiesGrantId(
  e: KoaContextWithOIDC['oidc']['entities'] | undefined,
): string | undefined {
  if (!e) return undefined;
  return (
    e.AuthorizationCode?.grantId ??
    e.RefreshToken?.grantId ??
    e.AccessToken?.grantId ??
    e.Grant?.jti
  );
}

export function createOpenIdProvider(parts: OpenIdProviderParts): Provider {
  const { props, records, definitions, relyingParties } = parts;
  const oidc = props.oidc;
  /**
   * The token limits of the grant behind the request (an impersonation's); undefined: the
   * configured lifetimes. Synchronous, for oidc-provider's ttl: the record findAccount has read.
   */
  const limits: TokenLimits = (ctx, token) =>
    tokenPolicyOf(oidc, records.read(ctx, grantIdOf(ctx, token)));
  const byScope = claimsByScope(definitions);
  const release = new ReleasedClaims(parts.resolver, parts.filter, records, parts.accountState);
  const clients = clientsOf(relyingParties);

  const provider = new Provider(oidc.issuer, {
    adapter: parts.adapter,
    clients,
    jwks: parts.jwks,
    cookies: { keys: [parts.cookieSecret] },
    // `act` rides on the openid scope: always granted, so in the ID token and at userinfo — where
    // findAccount sets it only for a grant made at level delegate (act-claim.ts).
    claims: { ...byScope, openid: [...(byScope.openid ?? []), ACT_CLAIM] },
    scopes: ['openid', 'offline_access', ...Object.keys(byScope)],
    responseTypes: ['code'],
    pkce: { required: () => true },
    ...clientAuthentication(),
    conformIdTokenClaims: true,
    features: {
      devInteractions: { enabled: false },
      // Not offered: sender-constrained tokens are neither configured nor tested here.
      dPoP: { enabled: false },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed(relyingParties) },
      revocation: { enabled: true, allowedPolicy: revocationAllowed() },
      userinfo: { enabled: true },
      // The end-session endpoint also ends the IdP session (oidc-logout.ts); its pages are the IdP's.
      rpInitiatedLogout: { enabled: true, ...parts.logoutPages },
    },
    routes: routes(),
    interactions: {
      policy: parts.policy,
      url: (_ctx, interaction) => `${OIDC_PATHS.interaction}/${interaction.uid}`,
    },
    // Tokens outlive oidc-provider's session, which only carries one authorization.
    expiresWithSession: () => false,
    loadExistingGrant,
    issueRefreshToken: async (ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      code.scopes.has('offline_access') &&
      (tokenPolicyOf(oidc, await records.get(ctx, grantIdOf(ctx, code)))?.refreshTokens ?? true),
    ttl: lifetimes(props, limits),
    findAccount: accountFinder(release, records, definitions),
    renderError: parts.renderError,
  });
  // Introspection answers carry the claims released to the caller, computed when it asks.
  provider.use(introspectionClaimsMiddleware(release, records, definitions));
  provider.use(formPostFormAction());
  includeSidInIdTokens(provider);
  explainPkceFailures(provider);
  return provider;
}

/** The relying parties' OIDC clients, then the resource servers. */
function clientsOf(relyingParties: RelyingPartyRegistry): ClientMetadata[] {
  const clients: ClientMetadata[] = relyingParties.oidcClients.map((c) => ({
    client_id: c.id,
    client_secret: c.clientSecret,
    client_name: c.displayName,
    redirect_uris: [...c.redirectUris],
    post_logout_redirect_uris: [...c.postLogoutRedirectUris],
    response_types: ['code'],
    grant_types: c.refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    // Every ID token says when the user really logged in (docs/oidc.md), not only on max_age.
    require_auth_time: true,
    scope: [...c.scopes, ...(c.refreshTokens ? ['offline_access'] : [])].join(' '),
  }));
  // A resource server authenticates like a client but can obtain nothing: no redirect URIs, no
  // response or grant types. It may only introspect (token-access.ts).
  for (const rs of relyingParties.resourceServers) {
    clients.push({
      client_id: rs.id,
      client_secret: rs.clientSecret,
      client_name: rs.displayName,
      redirect_uris: [],
      response_types: [],
      grant_types: [],
      token_endpoint_auth_method: rs.tokenEndpointAuthMethod,
    });
  }
  return clients;
}

function routes(): NonNullable<Configuration['routes']> {
  return {
    authorization: OIDC_PATHS.authorization,
    token: OIDC_PATHS.token,
    userinfo: OIDC_PATHS.userinfo,
    jwks: OIDC_PATHS.jwks,
    introspection: OIDC_PATHS.introspection,
    revocation: OIDC_PATHS.revocation,
    end_session: OIDC_PATHS.endSession,
    pushed_authorization_request: OIDC_PATHS.pushedAuthorization,
  };
}

/** Only a grant made for the account the session now holds may answer a silent request. */
async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const grantId =
    ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
  const grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
  return grant && grant.accountId === ctx.oidc.session?.accountId ? grant : undefined;
}

/** Lifetimes in seconds; an impersonation's tokens all live as long as its limits say. */
function lifetimes(props: IdpProperties, limits: TokenLimits): NonNullable<Configuration['ttl']> {
  const oidc = props.oidc;
  return {
    AccessToken: (ctx, token) =>
      seconds(limits(ctx, token)?.lifetimeMs ?? oidc.accessTokenLifetimeMs),
    IdToken: (ctx) => seconds(limits(ctx)?.lifetimeMs ?? oidc.idTokenLifetimeMs),
    RefreshToken: (ctx, token) =>
      seconds(limits(ctx, token)?.lifetimeMs ?? oidc.refreshTokenLifetimeMs),
    AuthorizationCode: CODE_LIFETIME_S,
    // The IdP sets each grant's lifetime as it makes it (authorization-grant.ts); same rule here.
    Grant: (ctx, grant) =>
      seconds(
        grantLifetimeMs(oidc, {
          tokens: limits(ctx),
          offlineAccess:
            (ctx.oidc.client?.grantTypeAllowed('refresh_token') ?? false) &&
            grant.getOIDCScope().split(' ').includes('offline_access'),
        }),
      ),
    Interaction: seconds(props.flowTimeoutMs),
    Session: seconds(props.session.maxLifetimeMs),
  };
}

/**
 * The account behind a token (or the request), with the claims released to the client it is for
 * and, for a grant made at level delegate, the actor (`act`, from the authorization record).
 */
function accountFinder(
  release: ReleasedClaims,
  records: RequestRecords,
  definitions: readonly AttributeDefinition[],
): FindAccount {
  return async (ctx, sub, token) => {
    const clientId =
      (token as { clientId?: string } | undefined)?.clientId ?? ctx.oidc.client?.clientId ?? '';
    const grantId = grantIdOf(ctx, token);
    const released = await release.to(ctx, sub, clientId, grantId);
    if (!released) return undefined;
    const act = actClaimOf(await records.get(ctx, grantId));
    // oidc-provider masks these by the granted scopes and the ID token / userinfo rules.
    return { accountId: sub, claims: () => ({ ...claimsOf(released, definitions), sub, ...act }) };
  };
}
