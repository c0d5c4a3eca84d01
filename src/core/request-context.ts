/**
 * The state of one SSO request from the moment a relying party's request arrives until the
 * response leaves (Shibboleth's ProfileRequestContext and its children, flattened). It is plain
 * JSON so it can wait in the flow-execution store while the browser shows a form.
 *
 * The context fills up as the pipeline runs; the stage types below say what a step may rely on:
 * authentication gives it a subject, attribute resolution its attributes. A step states the stage
 * it needs (profile/steps/profile-step.ts) and the pipeline checks it before running the step.
 */
import type { AttributeValues } from './attribute-values.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Limits on the tokens issued for a subject (OIDC), in place of the configured lifetimes. */
export interface TokenPolicy {
  /** The lifetime of every token issued for the subject: access, ID and refresh tokens (ms). */
  readonly lifetimeMs: number;
  /** Whether a refresh token may be issued at all. */
  readonly refreshTokens: boolean;
}

/** Set by the impersonate intercept when the request acts as another account. */
interface Impersonation {
  /** The real principal, who signed in (Shibboleth's impersonatingPrincipalName). */
  readonly impersonator: string;
  /** The label the effective principal's attributes are resolved with — now, and whenever tokens issued for it are used. */
  readonly resolutionLabel: string;
  /** Limits on the tokens issued for the effective principal. */
  readonly tokens: TokenPolicy;
  /** The reason the tester gave on the form (for the audit records of what is released; at delegate, in `act`). */
  readonly reason?: string;
  /**
   * How the target is released: `impersonate` as the subject alone; `delegate` as the subject with
   * the impersonator named as the actor (OIDC `act`, SAML del:Delegate and the actor attribute).
   * An `identify` preview releases nothing, so it never reaches a response.
   */
  readonly level: 'impersonate' | 'delegate';
}

/** Who the request is for (Shibboleth's SubjectContext). */
export interface SubjectContext {
  /** The effective principal: after impersonation, the impersonated account. */
  principalName: string;
  /** Present when impersonating: the real principal and what applies to the impersonated one. */
  impersonation?: Impersonation;
  authnInstant: number;
  authnMethod: string;
  /** True when the IdP session was reused (no password asked in this request). */
  sso: boolean;
}

export interface InterceptState {
  /** Flow ids still to consider, in order ("intercept/…"). */
  readonly remaining: string[];
  /** The flow being run and its private state while its view is displayed. */
  current?: { readonly flowId: string; readonly state: Json };
}

/** The principal's attributes: unfiltered (seen by policies and intercept flows) and released. */
interface ResolvedAttributes {
  readonly unfiltered: AttributeValues;
  readonly filtered: AttributeValues;
}

export type ProfileStep = 'authenticate' | 'resolve-attributes' | 'intercept' | 'respond';

export interface ProfileRequestContext {
  /** Profile id, also the resolution label of the first attribute resolution ("SAML2/SSO"). */
  readonly profile: string;
  /** Which protocol front-end decoded the request and will encode the response. */
  readonly frontEnd: string;
  readonly relyingPartyId: string;
  /** Front-end specific request data (SAML: request id, ACS, RelayState, binding, …). */
  readonly inbound: { [key: string]: Json };
  /** The request forbids any visible interaction (SAML IsPassive, OIDC prompt=none). */
  readonly passive: boolean;
  readonly forceAuthn: boolean;
  /** A login older than this must be repeated (OIDC max_age), in milliseconds. */
  readonly maxAuthnAgeMs?: number;
  readonly startTime: number;
  step: ProfileStep;
  subject?: SubjectContext;
  /** Unfiltered attributes (seen by policies and the impersonate form) and those released. */
  attributes?: ResolvedAttributes;
  intercept?: InterceptState;
  /** Audit fields gathered along the way (field id → values). */
  audit: { [field: string]: string[] };
}

/** After authentication: the request knows who it is for. */
export interface AuthenticatedContext extends ProfileRequestContext {
  subject: SubjectContext;
}

/** After attribute resolution: the subject's attributes are known and filtered for the RP. */
export interface ResolvedContext extends AuthenticatedContext {
  attributes: ResolvedAttributes;
}

export function isAuthenticated(prc: ProfileRequestContext): prc is AuthenticatedContext {
  return prc.subject !== undefined;
}

export function isResolved(prc: ProfileRequestContext): prc is ResolvedContext {
  return prc.subject !== undefined && prc.attributes !== undefined;
}
