/**
 * Every event the IdP can signal, with Shibboleth's names, and the one table of what each means:
 * the status of its local error page, its SAML and OpenID Connect error, whether the shipped
 * conf/errors.yaml makes it local (and audited), whether LogEvent reports it, whether any intercept
 * flow may end with it, and the message key of its text in conf/messages.properties.
 *
 * A step ends a request with one of these ({ event }), an intercept flow ends with one ({ end }), an
 * IdpError carries one; conf/errors.yaml and the event lines of messages.properties may only name
 * these, and the front-ends answer them from this table. Adding an event means adding it here (and
 * its text to messages.properties; test/config/events.test.ts checks both files against the table).
 *
 * A few events only ever name why an audit record was written (docs/auditing.md, "Events"): the
 * login outcomes (Shibboleth's AuthnEventIds InvalidCredentials, AccountLocked, NoCredentials), a
 * name refused by the impersonate form's checks, a failed policy reload. No request ends with them;
 * their table entries are the defaults.
 */

export type IdpEvent =
  | 'AccessDenied'
  | 'AccountDisabled'
  | 'AccountLocked'
  | 'AttributeReleaseRejected'
  | 'AuditLogFailure'
  | 'ContextCheckDenied'
  | 'DirectoryFailure'
  | 'EndpointResolutionFailed'
  | 'ImpersonationViolation'
  | 'ImpersonationRequired'
  | 'InvalidCSRFToken'
  | 'InvalidConfiguration'
  | 'InvalidCredentials'
  | 'InvalidEvent'
  | 'InvalidImpersonationName'
  | 'InvalidImpersonationReason'
  | 'InvalidImpersonationLevel'
  | 'InvalidNameIDPolicy'
  | 'InvalidProfileConfiguration'
  | 'InvalidProfileContext'
  | 'MessageAuthenticationError'
  | 'MessageExpired'
  | 'MessageReplay'
  | 'MetadataRefreshFailed'
  | 'MethodNotAllowed'
  | 'NoCredentials'
  | 'NoPassive'
  | 'NoPotentialFlow'
  | 'NotFound'
  | 'PolicyReloadFailed'
  | 'ProtectedImpersonationTarget'
  | 'RequestCapacityExceeded'
  | 'RequestTooLarge'
  | 'RestartAuthentication'
  | 'RuntimeException'
  | 'SessionStoreFailure'
  | 'SharedStoreFailure'
  | 'StaleRequest'
  | 'StorageBusy'
  | 'TermsRejected'
  | 'UnableToDecode'
  | 'UnknownImpersonationTarget'
  | 'UnknownRelyingParty'
  | 'UnsupportedMediaType'
  | 'UpdateSecurityParameters';

/** Top-level SAML status codes of an error Response (urn:oasis:names:tc:SAML:2.0:status:<name>). */
export type SamlTopStatus = 'Requester' | 'Responder';
/** Second-level SAML status codes the IdP uses. */
export type SamlSubStatus = 'AuthnFailed' | 'InvalidNameIDPolicy' | 'NoPassive' | 'RequestDenied';
/** OAuth 2.0 / OpenID Connect authorization error codes the IdP uses (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
type OidcErrorCode = 'access_denied' | 'login_required' | 'server_error';

export interface EventInfo {
  /** HTTP status of the IdP's own error page for the event (an IdpError code may have its own, see errors.ts). */
  readonly status: number;
  /** SAML status (and sub-status) of the error Response to a service provider. */
  readonly saml: readonly [status: SamlTopStatus, subStatus?: SamlSubStatus];
  /** The error of the redirect to an OpenID Connect client. */
  readonly oidc: OidcErrorCode;
  /**
   * The shipped conf/errors.yaml (Shibboleth's LocalEventMap): an error page at the IdP, written to
   * the audit log first or not — or false: the event goes back to the relying party. errors.yaml
   * decides at run time; errors thrown before a request is understood (IdpError) always get a page.
   */
  readonly local: 'audited' | 'unaudited' | false;
  /** LogEvent does not report it (Shibboleth's shibboleth.DefaultSuppressedEvents). */
  readonly suppressed: boolean;
  /** Any intercept flow may end with it (Shibboleth's intercept-abstract-flow.xml end states). */
  readonly intercept: boolean;
  /** Key of its page text in conf/messages.properties (`<key>.title`, `<key>.message`). */
  readonly messageKey: string;
}

export const EVENTS = {
  AccessDenied: {
    status: 403,
    saml: ['Responder', 'RequestDenied'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'access-denied',
  },
  AccountDisabled: {
    status: 403,
    saml: ['Responder', 'AuthnFailed'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: false,
    intercept: false,
    messageKey: 'account-disabled',
  },
  /** Audit only: a login refused by the throttle (login-throttle.ts). */
  AccountLocked: {
    status: 429,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  AttributeReleaseRejected: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: true,
    intercept: true,
    messageKey: 'runtime-error',
  },
  AuditLogFailure: {
    status: 500,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'audit-failure',
  },
  ContextCheckDenied: {
    status: 403,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: true,
    intercept: true,
    messageKey: 'runtime-error',
  },
  DirectoryFailure: {
    status: 503,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'directory-failure',
  },
  EndpointResolutionFailed: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  ImpersonationViolation: {
    status: 403,
    saml: ['Responder', 'RequestDenied'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: false,
    intercept: true,
    messageKey: 'impersonation-violation',
  },
  /** The relying party requires impersonation (mode required) and the tester may not, or chose not to: never the real user. */
  ImpersonationRequired: {
    status: 403,
    saml: ['Responder', 'RequestDenied'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: false,
    intercept: false,
    messageKey: 'impersonation-required',
  },
  InvalidCSRFToken: {
    status: 403,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: 'unaudited',
    suppressed: false,
    intercept: true,
    messageKey: 'invalid-csrf-token',
  },
  InvalidConfiguration: {
    status: 500,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  /** Audit only: a login with a wrong password, or for no such account (the same, as in Shibboleth). */
  InvalidCredentials: {
    status: 401,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  InvalidEvent: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: 'unaudited',
    suppressed: false,
    intercept: true,
    messageKey: 'invalid-event',
  },
  /** Audit only: the impersonate form refused a name by its checks (wildcards, look-alikes, …); the form is shown again. */
  InvalidImpersonationName: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  /** Audit only: the impersonate form refused the reason (too long, control characters, required, not the relying party's pattern); the form is shown again. */
  InvalidImpersonationReason: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  /** Audit only: the impersonate form got a level it did not offer at this relying party (unknown, or above its cap); the form is shown again. */
  InvalidImpersonationLevel: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  InvalidNameIDPolicy: {
    status: 400,
    saml: ['Requester', 'InvalidNameIDPolicy'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  InvalidProfileConfiguration: {
    status: 500,
    saml: ['Responder'],
    oidc: 'server_error',
    local: 'unaudited',
    suppressed: false,
    intercept: false,
    messageKey: 'invalid-profile-configuration',
  },
  InvalidProfileContext: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: 'unaudited',
    suppressed: false,
    intercept: true,
    messageKey: 'stale-request',
  },
  MessageAuthenticationError: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: true,
    messageKey: 'message-authentication',
  },
  MessageExpired: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: true,
    messageKey: 'runtime-error',
  },
  MessageReplay: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: true,
    messageKey: 'runtime-error',
  },
  MethodNotAllowed: {
    status: 405,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'method-not-allowed',
  },
  /** Audit only: a login form submitted without a username or password. */
  NoCredentials: {
    status: 401,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  NoPassive: {
    status: 400,
    saml: ['Responder', 'NoPassive'],
    oidc: 'login_required',
    local: false,
    suppressed: false,
    intercept: true,
    messageKey: 'no-passive',
  },
  NoPotentialFlow: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: true,
    intercept: false,
    messageKey: 'runtime-error',
  },
  NotFound: {
    status: 404,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'not-found',
  },
  /** Audit only: a metadata provider's new document was refused; the last good metadata stays. */
  MetadataRefreshFailed: {
    status: 500,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  /** Audit only: a policy reload failed; the previous policies stay in force. */
  PolicyReloadFailed: {
    status: 500,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'runtime-error',
  },
  /** The policies allow the account, but the directory flags it protected: never impersonated. */
  ProtectedImpersonationTarget: {
    status: 403,
    saml: ['Responder', 'RequestDenied'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: false,
    intercept: false,
    messageKey: 'impersonation-protected-target',
  },
  RequestCapacityExceeded: {
    status: 503,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'request-capacity-exceeded',
  },
  RequestTooLarge: {
    status: 413,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'request-too-large',
  },
  RestartAuthentication: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: true,
    messageKey: 'runtime-error',
  },
  RuntimeException: {
    status: 500,
    saml: ['Responder'],
    oidc: 'server_error',
    local: 'unaudited',
    suppressed: false,
    intercept: true,
    messageKey: 'runtime-error',
  },
  SessionStoreFailure: {
    status: 503,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'session-store-failure',
  },
  SharedStoreFailure: {
    status: 503,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'shared-store-failure',
  },
  StaleRequest: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'stale-request',
  },
  StorageBusy: {
    status: 503,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'storage-busy',
  },
  TermsRejected: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: true,
    intercept: true,
    messageKey: 'runtime-error',
  },
  UnableToDecode: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'unable-to-decode',
  },
  UnknownImpersonationTarget: {
    status: 404,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: 'audited',
    suppressed: false,
    intercept: false,
    messageKey: 'impersonation-unknown-target',
  },
  UnknownRelyingParty: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'unknown-relying-party',
  },
  UnsupportedMediaType: {
    status: 415,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: false,
    messageKey: 'unsupported-media-type',
  },
  UpdateSecurityParameters: {
    status: 400,
    saml: ['Responder'],
    oidc: 'access_denied',
    local: false,
    suppressed: false,
    intercept: true,
    messageKey: 'runtime-error',
  },
} satisfies Record<IdpEvent, EventInfo>;

/** Every event, in the table's (alphabetical) order. */
export const IDP_EVENTS: readonly IdpEvent[] = Object.keys(EVENTS) as IdpEvent[];

export function isIdpEvent(name: string): name is IdpEvent {
  return Object.hasOwn(EVENTS, name);
}
