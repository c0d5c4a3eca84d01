/** Where the OpenID Provider's endpoints live (beside Shibboleth's SAML paths, as its OIDC plugin does). */
export const OIDC_PATHS = {
  discovery: '/.well-known/openid-configuration',
  prefix: '/idp/profile/oidc/',
  authorization: '/idp/profile/oidc/authorize',
  token: '/idp/profile/oidc/token',
  userinfo: '/idp/profile/oidc/userinfo',
  jwks: '/idp/profile/oidc/keyset',
  introspection: '/idp/profile/oidc/introspect',
  revocation: '/idp/profile/oidc/revoke',
  endSession: '/idp/profile/oidc/logout',
  pushedAuthorization: '/idp/profile/oidc/par',
  interaction: '/idp/profile/oidc/interaction',
} as const;

export const OIDC_SSO_PROFILE = 'OIDC/SSO';
export const OIDC_TOKEN_PROFILE = 'OIDC/Token';
export const OIDC_FRONT_END = 'oidc';

/** An OAuth request parameter as a string ("" when absent or not a string). */
export function param(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}
