/**
 * The reason a tester gives on the impersonate form. It is trimmed and NFC-normalized; a reason
 * longer than the limit or with control or invisible characters (line breaks, format characters,
 * private use, unassigned) is refused whatever the relying party asks, so an audit record can never
 * carry a forged line or field. Then the relying party's rule (relying-party.yaml `impersonation:`,
 * else idp.impersonate.reason.required, or the general policy's require-reason rows): a required
 * reason must be given, and a reason given must
 * match the relying party's pattern as a whole. Only a reason that passes reaches the audit log.
 */
import type { RelyingPartyImpersonation } from '../../relying-party/rp-impersonation.js';

type ReasonProblem = 'too-long' | 'control-character' | 'required' | 'pattern';

/** What the form asks of a reason at one relying party. */
export interface ReasonRule {
  readonly maxLength: number;
  readonly required: boolean;
  readonly pattern?: RelyingPartyImpersonation['reasonPattern'];
}

export type ReasonCheck =
  | { readonly ok: true; readonly reason?: string }
  | { readonly ok: false; readonly problem: ReasonProblem };

const CONTROL_OR_INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * The rule at a relying party: its own setting, else the IdP's default — and required whatever
 * they say when the general policy requires it of this user here (`policyRequires`, operation
 * require-reason).
 */
export function reasonRule(
  rp: RelyingPartyImpersonation | undefined,
  defaults: { readonly maxLength: number; readonly required: boolean },
  policyRequires = false,
): ReasonRule {
  const own = rp?.reason === undefined ? defaults.required : rp.reason === 'required';
  const required = policyRequires || own;
  return { maxLength: defaults.maxLength, required, pattern: rp?.reasonPattern };
}

/** The reason as it will be recorded (undefined: none given), or why it is refused. */
export function checkReason(raw: string, rule: ReasonRule): ReasonCheck {
  const reason = raw.trim().normalize('NFC');
  if ([...reason].length > rule.maxLength) return { ok: false, problem: 'too-long' };
  if (CONTROL_OR_INVISIBLE.test(reason)) return { ok: false, problem: 'control-character' };
  if (reason === '') return rule.required ? { ok: false, problem: 'required' } : { ok: true };
  if (rule.pattern && !rule.pattern.regex.test(reason)) return { ok: false, problem: 'pattern' };
  return { ok: true, reason };
}
