/**
 * `audit summary`: impersonations and refusals counted per actor, per target, per relying party
 * and per day (UTC, from %T). Keys are kept escaped while counting and decoded once at the end.
 */
import { decode, type AuditEntry } from './audit-entry.js';
import { AuditField } from '../audit-fields.js';
import { actorOf, isImpersonation, isRefusal, targetOf } from './audit-filter.js';

const SUMMARY_GROUPS = ['actor', 'target', 'rp', 'day'] as const;
export type SummaryGroup = (typeof SUMMARY_GROUPS)[number];

export interface SummaryRow {
  readonly group: SummaryGroup;
  /** The decoded key; '' when the record names none (a failed login has no target). */
  readonly key: string;
  readonly impersonations: number;
  readonly refusals: number;
}

interface Counts {
  impersonations: number;
  refusals: number;
}

export class AuditSummary {
  private readonly counts = new Map<SummaryGroup, Map<string, Counts>>(
    SUMMARY_GROUPS.map((g) => [g, new Map()]),
  );

  add(e: AuditEntry): void {
    const impersonation = isImpersonation(e);
    const refusal = isRefusal(e);
    if (!impersonation && !refusal) return;
    const time = e.raw(AuditField.EVENT_TIME);
    const keys: Record<SummaryGroup, string> = {
      actor: actorOf(e),
      target: targetOf(e),
      rp: e.raw(AuditField.RELYING_PARTY),
      day: `${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)}`,
    };
    for (const group of SUMMARY_GROUPS) {
      const byKey = this.counts.get(group)!;
      let c = byKey.get(keys[group]);
      if (!c) byKey.set(keys[group], (c = { impersonations: 0, refusals: 0 }));
      if (impersonation) c.impersonations++;
      if (refusal) c.refusals++;
    }
  }

  /** Each group's rows: days in order, the others by impersonations + refusals, then key. */
  rows(): SummaryRow[] {
    return SUMMARY_GROUPS.flatMap((group) =>
      [...this.counts.get(group)!]
        .map(([key, c]) => ({ group, key: decode(key), ...c }))
        .sort(group === 'day' ? byKey : byTotal),
    );
  }
}

function byKey(a: SummaryRow, b: SummaryRow): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function byTotal(a: SummaryRow, b: SummaryRow): number {
  return b.impersonations + b.refusals - (a.impersonations + a.refusals) || byKey(a, b);
}
