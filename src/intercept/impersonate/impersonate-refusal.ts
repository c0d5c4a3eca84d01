/**
 * A form value the impersonate form's own checks refuse — the name, the reason or the level —
 * before any policy sees it: logged (never the refused reason itself), audited as a refusal with
 * its problem, and answered with the form again, saying why next to the field.
 */
import type { ProcessLog } from '../../logging/process-log.js';
import { quoted } from '../../logging/process-log.js';
import type { InterceptContext } from '../intercept-flow.js';
import { recordRefusedInput } from './impersonate-audit.js';
import type { ViewData } from './impersonate-view.js';

/** The form's fields as posted. */
export interface FormInput {
  readonly typed: string;
  readonly reason: string;
  readonly level: string;
}

export type RefusedField = 'name' | 'reason' | 'level';

const FIELDS = {
  name: {
    event: 'InvalidImpersonationName',
    messagePrefix: 'impersonate.invalid-name.',
    viewKey: 'error',
    why: (input: FormInput) => `requested name ${quoted(input.typed)} is not an account name`,
  },
  reason: {
    event: 'InvalidImpersonationReason',
    messagePrefix: 'impersonate.invalid-reason.',
    viewKey: 'reasonError',
    why: () => 'the reason given was refused',
  },
  level: {
    event: 'InvalidImpersonationLevel',
    messagePrefix: 'impersonate.invalid-level.',
    viewKey: 'levelError',
    why: (input: FormInput) => `level ${quoted(input.level)} is not offered there`,
  },
} as const;

/** Logs and audits the refusal; returns what the form shows again. */
export async function refuseInput(
  ctx: InterceptContext,
  log: ProcessLog,
  refused: { readonly field: RefusedField; readonly problem: string; readonly input: FormInput },
): Promise<ViewData> {
  const { field, problem, input } = refused;
  const spec = FIELDS[field];
  log.warn(
    `Impersonation request by principal ${quoted(ctx.prc.subject.principalName)} to relying party ${quoted(ctx.relyingParty.id)} refused: ${spec.why(input)} (${problem})`,
  );
  await recordRefusedInput(ctx, spec.event, input.typed, problem);
  const { typed, reason, level } = input;
  return { typed, reason, level, [spec.viewKey]: `${spec.messagePrefix}${problem}` };
}
