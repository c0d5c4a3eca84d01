/**
 * Impersonation at one relying party: the levels, the modes, and the RP's `impersonation:` block
 * of relying-party.yaml (with what the RP declares for itself in its metadata).
 */
/**
 * How far the IdP may act as another account toward a relying party, lowest first (Windows'
 * impersonation levels): `identify` shows the tester what the RP would receive and releases
 * nothing; `impersonate` releases the target as the subject (Shibboleth's impersonate intercept);
 * `delegate` releases the target and names the actor too (OIDC `act`, SAML del:Delegate).
 */
export const IMPERSONATION_LEVELS = ['identify', 'impersonate', 'delegate'] as const;
export type ImpersonationLevel = (typeof IMPERSONATION_LEVELS)[number];

/** Whether the impersonate form runs at an RP: never, when the tester wants, or always (staging). */
export const IMPERSONATION_MODES = ['notAllowed', 'allowed', 'required'] as const;
export type ImpersonationMode = (typeof IMPERSONATION_MODES)[number];

/** The lower of two levels. */
export function lowerLevel(a: ImpersonationLevel, b: ImpersonationLevel): ImpersonationLevel {
  return IMPERSONATION_LEVELS.indexOf(a) <= IMPERSONATION_LEVELS.indexOf(b) ? a : b;
}

/** The levels up to and including `cap`, lowest first. */
export function levelsUpTo(cap: ImpersonationLevel): ImpersonationLevel[] {
  return IMPERSONATION_LEVELS.slice(0, IMPERSONATION_LEVELS.indexOf(cap) + 1);
}

/** How the impersonate form treats this relying party (relying-party.yaml `impersonation:`). */
export interface RelyingPartyImpersonation {
  /** notAllowed: the form never runs here; required: it always runs and the real user is never released. Absent: allowed. */
  readonly mode?: ImpersonationMode;
  /** The highest level the IdP's administrator allows here (absent: impersonate). */
  readonly maxLevel?: ImpersonationLevel;
  /** The highest level the relying party declares for itself (SAML metadata entity attribute, OIDC client metadata). */
  readonly declaredMaxLevel?: ImpersonationLevel;
  /** Marked as trusted to receive delegated identities (required for maxLevel delegate). */
  readonly trustedForDelegation?: boolean;
  /** Whether a reason must be given; absent: idp.impersonate.reason.required. */
  readonly reason?: 'optional' | 'required';
  /** A reason given must match this whole (compiled at start-up, anchored), e.g. a ticket number. */
  readonly reasonPattern?: { readonly source: string; readonly regex: RegExp };
}

/** The level an RP admits: the lower of the administrator's cap and the RP's own declaration. */
export function effectiveMaxLevel(rp: RelyingPartyImpersonation): ImpersonationLevel {
  const cap = rp.maxLevel ?? 'impersonate';
  return rp.declaredMaxLevel === undefined ? cap : lowerLevel(cap, rp.declaredMaxLevel);
}

/** The RP's impersonation mode (default: allowed). */
export function impersonationMode(rp: RelyingPartyImpersonation): ImpersonationMode {
  return rp.mode ?? 'allowed';
}
