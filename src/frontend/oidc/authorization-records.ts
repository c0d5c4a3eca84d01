/**
 * What the IdP decided for each OIDC authorization, keyed by the oidc-provider grant it created:
 * who the subject is, who really signed in when impersonating, what was released, and how the
 * user authenticated. Tokens carry the grant id, so for a token's whole lifetime the IdP knows
 * whether it was issued under impersonation — for its lifetime, its claims (resolved as the
 * impersonated account) and its audit records — while oidc-provider's own session only ever
 * carries one authorization. Kept beside oidc-provider's state: the SQLite default is
 * sqlite-authorization-records.ts (table oidc_authorizations), the shared one for several nodes
 * redis-authorization-records.ts. Within a request they are read through RequestRecords
 * (request-records.ts), which oidc-provider's synchronous callbacks need.
 */
import type { TokenPolicy } from '../../core/request-context.js';

export interface AuthorizationRecord {
  readonly grantId: string;
  readonly clientId: string;
  /** The effective account: the token's sub. */
  readonly subject: string;
  /** The real account when the authorization was an impersonation. */
  readonly impersonator?: string;
  /** Resolution label to resolve the subject's claims with ("OIDC/SSO" or "intercept/impersonate"). */
  readonly resolutionLabel: string;
  /** Limits on the tokens issued under the grant (an impersonation's); absent: the configured lifetimes. */
  readonly tokens?: TokenPolicy;
  /** The impersonation target the tester asked for (audit %ut, %utc), when one was named. */
  readonly requestedTarget?: { readonly typed: string; readonly account: string };
  /** The reason given on the impersonate form (audit %det reason=; at delegate, in `act`), when one was. */
  readonly reason?: string;
  /**
   * How the impersonation is released (only with `impersonator`): `impersonate` as the subject
   * alone, `delegate` with the impersonator named as the actor (`act`, act-claim.ts). A record an
   * earlier release wrote has none: an impersonation then, as it was.
   */
  readonly level?: 'impersonate' | 'delegate';
  /** Claim names released at authorization time, for the audit log. */
  readonly claims: readonly string[];
  readonly sso: boolean;
  readonly authnInstant: number;
  readonly authnMethod: string;
  readonly startTime: number;
  readonly expiresAt: number;
}

/** The level of the impersonation a record describes; undefined when it is no impersonation. */
export function impersonationLevel(
  record: AuthorizationRecord | undefined,
): 'impersonate' | 'delegate' | undefined {
  if (record?.impersonator === undefined) return undefined;
  return record.level ?? 'impersonate';
}

/** Where the records are kept; a store that fails throws an IdpError (fail closed). */
export interface AuthorizationRecords {
  /** Keeps the record until its expiresAt. */
  put(record: AuthorizationRecord): Promise<void>;
  /** The record of the grant, while it is kept; undefined for none (or no grant). */
  get(grantId: string | undefined): Promise<AuthorizationRecord | undefined>;
  /** Keeps the record until expiresAt, when it would otherwise go sooner (its grant was reused). */
  extend(grantId: string, expiresAt: number): Promise<void>;
}
