/** The request context the pipeline runs an OIDC authorization request with. */
import type { Json, ProfileRequestContext } from '../../core/request-context.js';
import type { OidcClient } from '../../relying-party/relying-party.js';
import { OIDC_FRONT_END, OIDC_SSO_PROFILE, param } from './oidc-paths.js';

/** What the OIDC front-end keeps of the authorization request while the pipeline runs. */
export interface OidcInbound {
  [key: string]: Json;
  uid: string;
  scope: string;
  redirectUri: string;
}

/** prompt=none makes the request passive, prompt=login forces a password, max_age limits the login's age. */
export function authorizationContext(
  params: Record<string, unknown>,
  client: OidcClient,
  uid: string,
): ProfileRequestContext {
  const prompts = param(params.prompt).split(' ');
  const maxAge = params.max_age === undefined ? undefined : Number(params.max_age);
  return {
    profile: OIDC_SSO_PROFILE,
    frontEnd: OIDC_FRONT_END,
    relyingPartyId: client.id,
    inbound: {
      uid,
      scope: param(params.scope, 'openid'),
      redirectUri: param(params.redirect_uri),
    } satisfies OidcInbound,
    passive: prompts.includes('none'),
    forceAuthn: prompts.includes('login'),
    maxAuthnAgeMs: maxAge !== undefined && Number.isFinite(maxAge) ? maxAge * 1000 : undefined,
    startTime: Date.now(),
    step: 'authenticate',
    audit: {},
  };
}
