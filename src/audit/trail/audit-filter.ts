/**
 * Which records an auditor asked for (`audit query`, `audit summary`, the auditors' page), and
 * what a record means to an auditor: who acted (the real user), on whom (the effective account or
 * the account asked for), whether it is an impersonation or a refusal.
 *
 * Filters compare escaped values: the wanted value is escaped once, as the writer escapes it, so
 * a million lines are compared without decoding any, and a line that does not even contain the
 * wanted name is skipped before it is split.
 */
import { AuditEntry, type AuditLayout } from './audit-entry.js';
import { AuditField as F } from '../audit-fields.js';
import { AuditFormatter, type FormatToken } from '../audit-format.js';

export interface AuditFilter {
  /** Audit timestamps (yyyyMMdd'T'HHmmss'Z'): since inclusive, until exclusive. */
  readonly since?: string;
  readonly until?: string;
  readonly actor?: string;
  readonly target?: string;
  readonly rp?: string;
  readonly events?: readonly string[];
  readonly actions?: readonly string[];
  readonly impersonationOnly?: boolean;
  readonly refusalsOnly?: boolean;
  /** The chain's own records (P=Audit: open, start, checkpoint); left out unless asked for. */
  readonly includeControl?: boolean;
}

const CONTROL_PROFILE = 'Audit';

/** The real user: the impersonating account when impersonating, else the account. */
export function actorOf(e: AuditEntry): string {
  return e.raw(F.IMPERSONATING_USERNAME) || e.raw(F.USERNAME);
}

/** The account acted on: the effective account when impersonating, else the one asked for. */
export function targetOf(e: AuditEntry): string {
  if (e.raw(F.IMPERSONATING_USERNAME)) return e.raw(F.USERNAME);
  return e.raw(F.REQUESTED_TARGET_CANONICAL) || e.raw(F.REQUESTED_TARGET);
}

function isControl(e: AuditEntry): boolean {
  return e.raw(F.PROFILE) === CONTROL_PROFILE;
}

/** A refusal: act=refuse, or an event on any other record (old logs have no %act). */
export function isRefusal(e: AuditEntry): boolean {
  return e.raw(F.ACTION) === 'refuse' || (e.raw(F.EVENT) !== '' && !isControl(e));
}

/** Something released as another account (old logs: a record without event and with %uu). */
export function isImpersonation(e: AuditEntry): boolean {
  if (e.raw(F.IMPERSONATING_USERNAME) === '') return false;
  const action = e.raw(F.ACTION);
  return action === 'release' || (action === '' && e.raw(F.EVENT) === '');
}

export interface CompiledFilter {
  /**
   * The UTC day (YYYY-MM-DD) of --since: a rotated file is named after the last day of its
   * records, so a file of an earlier day holds nothing to show and is not even decompressed.
   */
  readonly sinceDay?: string;
  /** UTF-8 of an escaped value every matching line contains: lines without it need no decoding. */
  readonly needle?: Buffer;
  /** Cheap test on the raw line: false only when the record cannot match. */
  mayMatch(text: string): boolean;
  accepts(e: AuditEntry): boolean;
}

export function compileFilter(
  filter: AuditFilter,
  tokens: readonly FormatToken[],
  layout: AuditLayout,
): CompiledFilter {
  const esc = (value: string) => escapeAs(tokens, layout, value);
  const needles = [filter.actor, filter.target, filter.rp].flatMap((v) => (v ? [esc(v)] : []));
  const tests = predicates(filter, esc);
  const since = filter.since;
  return {
    sinceDay: since && `${since.slice(0, 4)}-${since.slice(4, 6)}-${since.slice(6, 8)}`,
    needle: needles[0] === undefined ? undefined : Buffer.from(needles[0], 'utf8'),
    mayMatch: (text) => needles.every((n) => text.includes(n)),
    accepts: (e) => tests.every((t) => t(e)),
  };
}

type Test = (e: AuditEntry) => boolean;

function predicates(filter: AuditFilter, esc: (v: string) => string): Test[] {
  const tests: Test[] = [];
  const { since, until } = filter;
  if (!filter.includeControl) tests.push((e) => !isControl(e));
  if (since) tests.push((e) => e.raw(F.EVENT_TIME) >= since);
  if (until) tests.push((e) => e.raw(F.EVENT_TIME) < until);
  if (filter.actor) {
    const actor = esc(filter.actor);
    tests.push((e) => actorOf(e) === actor);
  }
  if (filter.target) {
    const target = esc(filter.target);
    tests.push((e) =>
      e.raw(F.IMPERSONATING_USERNAME)
        ? e.raw(F.USERNAME) === target
        : e.raw(F.REQUESTED_TARGET_CANONICAL) === target || e.raw(F.REQUESTED_TARGET) === target,
    );
  }
  if (filter.rp) {
    const rp = esc(filter.rp);
    tests.push((e) => e.raw(F.RELYING_PARTY) === rp);
  }
  oneOf(tests, F.EVENT, filter.events, esc);
  oneOf(tests, F.ACTION, filter.actions, esc);
  if (filter.impersonationOnly)
    tests.push((e) => e.raw(F.IMPERSONATING_USERNAME) !== '' || e.raw(F.REQUESTED_TARGET) !== '');
  if (filter.refusalsOnly) tests.push(isRefusal);
  return tests;
}

function oneOf(
  tests: Test[],
  field: string,
  wanted: readonly string[] | undefined,
  esc: (v: string) => string,
): void {
  if (!wanted?.length) return;
  const set = new Set(wanted.map(esc));
  tests.push((e) => set.has(e.raw(field)));
}

/** `value` escaped exactly as the writer escapes a field value of this format. */
function escapeAs(tokens: readonly FormatToken[], layout: AuditLayout, value: string): string {
  const field = layout.fields[0];
  if (field === undefined) return value;
  const line = new AuditFormatter(tokens).format(new Map([[field, [value]]]));
  return AuditEntry.parse(layout, line).raw(field);
}
