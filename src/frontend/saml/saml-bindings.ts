/** SAML 2.0 names used across the front-end. */
export const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

/** The bindings an AuthnRequest may arrive by, as the SSO endpoints name them. */
export type InboundBinding = 'redirect' | 'post';

export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  invalidNameIdPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
  unknownPrincipal: 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal',
  partialLogout: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
} as const;

export const SSO_PATHS = {
  metadata: '/idp/shibboleth',
  redirect: '/idp/profile/SAML2/Redirect/SSO',
  post: '/idp/profile/SAML2/POST/SSO',
} as const;

export const SAML2_SSO_PROFILE = 'SAML2/SSO';

/** Single logout (logout/*), beside the SSO endpoints as in Shibboleth. */
export const SLO_PATHS = {
  redirect: '/idp/profile/SAML2/Redirect/SLO',
  post: '/idp/profile/SAML2/POST/SLO',
} as const;

export const SAML2_LOGOUT_PROFILE = 'SAML2/Logout';
