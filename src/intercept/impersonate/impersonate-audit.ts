/**
 * The impersonate form's own audit records (docs/auditing.md): who was offered the form, what they
 * chose, and names the form's checks refused. Each is written before the page or the next step
 * that answers it; the policy refusals and the release are recorded where the request ends.
 */
import { AuditAction, AuditField, auditDetails } from '../../audit/audit-fields.js';
import type { InterceptContext } from '../intercept-flow.js';

/**
 * Why the tester goes on as themselves although they pressed "impersonate": their own name. (An
 * empty or blank name is refused — recordInvalidName, problem=empty — where Shibboleth proceeds.)
 */
export type SelfReason = 'own-name';

/** The form was shown; `choices` accounts were listed (0: a free text field). */
export function recordOffer(ctx: InterceptContext, choices: number): Promise<void> {
  return ctx.audit({
    [AuditField.ACTION]: AuditAction.OFFER,
    [AuditField.DETAILS]: auditDetails({ choices }),
  });
}

/** "Continue normally", or a name that means no impersonation (%det typed=, e.g. own-name). */
export function recordChoseSelf(
  ctx: InterceptContext,
  reason?: SelfReason,
  typed?: string,
  account?: string,
): Promise<void> {
  return ctx.audit({
    [AuditField.ACTION]: AuditAction.CHOOSE,
    [AuditField.REQUESTED_TARGET]: typed,
    [AuditField.REQUESTED_TARGET_CANONICAL]: account,
    [AuditField.DETAILS]: auditDetails({ choice: 'self', typed: reason }),
  });
}

/**
 * The tester asked to impersonate a well-formed name (%ut, %utc are the request's by now), giving
 * at `level`, with `reason` (checked: no control characters, within the limit; the formatter percent-encodes it).
 */
export function recordChoseImpersonation(
  ctx: InterceptContext,
  { level, reason }: { readonly level: string; readonly reason?: string },
): Promise<void> {
  return ctx.audit({
    [AuditField.ACTION]: AuditAction.CHOOSE,
    [AuditField.DETAILS]: auditDetails({ choice: 'impersonate', level, reason }),
  });
}

/**
 * An identify-level preview was shown: the tester saw what the relying party would receive as
 * the account (%utc), whose attribute ids are listed in %a; nothing was released.
 */
export function recordPreview(
  ctx: InterceptContext,
  attributeIds: readonly string[],
): Promise<void> {
  return ctx.audit({
    [AuditField.ACTION]: AuditAction.PREVIEW,
    [AuditField.ATTRIBUTES]: [...attributeIds],
  });
}

/**
 * A form value refused before any policy saw it: the name typed is no account name
 * (InvalidImpersonationName; `problem`: empty, wildcard, mixed-script, look-alike, …) or the reason
 * given is not taken (InvalidImpersonationReason; too-long, control-character, required, pattern —
 * the refused reason itself is not recorded: it may be what the checks keep out of the log).
 */
export function recordRefusedInput(
  ctx: InterceptContext,
  event: 'InvalidImpersonationName' | 'InvalidImpersonationReason' | 'InvalidImpersonationLevel',
  typed: string,
  problem: string,
): Promise<void> {
  return ctx.audit({
    [AuditField.ACTION]: AuditAction.REFUSE,
    [AuditField.EVENT]: event,
    [AuditField.REQUESTED_TARGET]: typed,
    [AuditField.DETAILS]: auditDetails({ problem }),
  });
}
