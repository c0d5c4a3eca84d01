/**
 * The model of the impersonate form (views/intercept/impersonate.ejs): the service, the real user,
 * the accounts offered, what was typed last time and why it was refused, and what the reason field
 * asks for at this relying party.
 */
import type { Json } from '../../core/request-context.js';
import type { InterceptContext } from '../intercept-flow.js';
import type { ReasonRule } from './impersonation-reason.js';
import { defaultLevel, offeredLevels } from './impersonation-level.js';
import {
  impersonationMode,
  type ImpersonationLevel,
} from '../../relying-party/rp-impersonation.js';

const IMPERSONATABLE_USERNAMES = 'impersonatableUsernames';

/** After a refused name or reason: what was typed, and the message key saying why. */
export interface ViewData {
  readonly typed?: string;
  readonly reason?: string;
  /** The level posted last time. */
  readonly level?: string;
  readonly error?: string;
  readonly reasonError?: string;
  /** Message key of why the level was refused. */
  readonly levelError?: string;
  /** Back from a preview: the form is not offered anew (no second offer record). */
  readonly previewed?: boolean;
}

export function impersonateViewModel(
  ctx: InterceptContext,
  data: ViewData,
  rule: ReasonRule,
): Record<string, Json | undefined> {
  const choices = ctx.prc.attributes?.unfiltered[IMPERSONATABLE_USERNAMES];
  const rp = ctx.relyingParty.impersonation;
  return {
    relyingParty: { id: ctx.relyingParty.id, displayName: ctx.relyingParty.displayName },
    principalName: ctx.prc.subject.principalName,
    choices: choices && choices.length > 0 ? [...choices] : undefined,
    error: data.error,
    typed: data.typed,
    reason: data.reason,
    reasonError: data.reasonError,
    reasonRequired: rule.required,
    reasonPattern: rule.pattern?.source,
    reasonMaxLength: rule.maxLength,
    levels: offeredLevels(rp),
    level:
      data.level !== undefined && offeredLevels(rp).includes(data.level as ImpersonationLevel)
        ? data.level
        : defaultLevel(rp),
    levelError: data.levelError,
    required: impersonationMode(rp) === 'required',
  };
}
