/**
 * The level a tester asks for on the impersonate form, checked against what the relying party
 * admits (rp-impersonation.ts: the lower of the administrator's maxLevel and the RP's own
 * declaration). No level posted means the highest of identify/impersonate the RP admits — a form
 * from before levels existed (or a script) gets today's behaviour. A level the form never offered
 * here (unknown, or above the cap) is refused, never lowered: the tester must see what happens.
 */
import {
  IMPERSONATION_LEVELS,
  effectiveMaxLevel,
  levelsUpTo,
  lowerLevel,
  type ImpersonationLevel,
  type RelyingPartyImpersonation,
} from '../../relying-party/rp-impersonation.js';

/** The tester's checked choice: the name as typed, how far to act as the account, and why. */
export interface Choice {
  readonly typed: string;
  readonly level: ImpersonationLevel;
  readonly reason?: string;
}

export type LevelCheck =
  | { readonly ok: true; readonly level: ImpersonationLevel }
  | { readonly ok: false; readonly problem: 'unknown-level' | 'above-cap' };

/** The levels the form offers at this relying party, lowest first. */
export function offeredLevels(rp: RelyingPartyImpersonation): ImpersonationLevel[] {
  return levelsUpTo(effectiveMaxLevel(rp));
}

/** The level pre-selected on the form and taken when none is posted. */
export function defaultLevel(rp: RelyingPartyImpersonation): ImpersonationLevel {
  return lowerLevel(effectiveMaxLevel(rp), 'impersonate');
}

export function checkLevel(raw: string, rp: RelyingPartyImpersonation): LevelCheck {
  if (raw === '') return { ok: true, level: defaultLevel(rp) };
  if (!(IMPERSONATION_LEVELS as readonly string[]).includes(raw))
    return { ok: false, problem: 'unknown-level' };
  const level = raw as ImpersonationLevel;
  return offeredLevels(rp).includes(level)
    ? { ok: true, level }
    : { ok: false, problem: 'above-cap' };
}
