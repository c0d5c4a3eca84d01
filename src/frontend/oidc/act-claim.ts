/**
 * The actor claim of a delegated identity (RFC 8693 §4.1): when a tester impersonates at level
 * `delegate`, the client receives the target as `sub` and the tester as the actor,
 * `"act": {"sub": "<actor>"}` — with `"reason": "<reason>"` when one was given on the form — in the
 * ID token, at userinfo and in the introspection of the access token. It comes from the grant's
 * authorization record, never from the attribute filter: it is protocol data, there at delegate
 * whatever the filter releases, and nowhere else (plain impersonation and ordinary sign-ins have
 * none; no attribute may be released as `act`, see attribute-resolver-conf.ts).
 */
import { impersonationLevel, type AuthorizationRecord } from './authorization-records.js';

export const ACT_CLAIM = 'act';

export interface ActClaim {
  readonly sub: string;
  readonly reason?: string;
}

/** `{act: …}` for a grant made at level delegate; `{}` otherwise, to spread into a claim set. */
export function actClaimOf(record: AuthorizationRecord | undefined): { act?: ActClaim } {
  if (impersonationLevel(record) !== 'delegate') return {};
  const { impersonator, reason } = record!;
  return { act: { sub: impersonator!, ...(reason ? { reason } : {}) } };
}
