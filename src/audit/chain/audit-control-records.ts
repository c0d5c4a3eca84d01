/**
 * The details (%det) of the chain's own control records (P=Audit): `open`, the first line of every
 * audit file, `start`, one per IdP start, and `recover`, after a failed write left a partial line
 * in the file while the IdP ran (`checkpoint`: audit-checkpoint.ts).
 */
import type { ChainLink } from './audit-chain.js';
import type { ChainResume } from './audit-chain-recovery.js';
import { AuditField } from '../audit-fields.js';
import { auditTimestamp, type AuditFormatter } from '../audit-format.js';

const AUDIT_PROFILE = 'Audit';
/** %e of a `start` record after a crash left a partial line, and of a `recover` record. */
export const TRAIL_RECOVERED = 'AuditTrailRecovered';

/** Formats a control record with the configured format: act, details, event (%e). */
export type ControlFormatter = (act: string, det: readonly string[], event?: string) => string;

/** Control records in the configured format, stamped (%T) with `now`. */
export function controlFormatter(
  formatter: AuditFormatter,
  now: () => number,
  /** The node writing the trail (idp.node.id): named in %node, as on every other record. */
  node = '',
): ControlFormatter {
  return (act, det, event) =>
    formatter.format(
      new Map([
        [AuditField.NODE, node ? [node] : []],
        [AuditField.EVENT_TIME, [auditTimestamp(now())]],
        [AuditField.PROFILE, [AUDIT_PROFILE]],
        [AuditField.ACTION, [act]],
        [AuditField.DETAILS, [...det]],
        [AuditField.EVENT, event ? [event] : []],
      ]),
    );
}

/** `open`: where the chain stood when this file began. */
export function openDetails(link: ChainLink | undefined, previousFile: string): string[] {
  return [
    `prevSeq=${link?.seq ?? 0}`,
    `prev=${link ? link.hash.toString('base64url') : 'GENESIS'}`,
    `previousFile=${previousFile}`,
  ];
}

/**
 * `start`: the node, and what start-up found after the last chained line. `unchainedLines` counts
 * lines written while the chain was off (idp.audit.chain.enabled = false): the chain cannot vouch
 * for them, so rather than pretend they are part of it, the start record says how many there are
 * and the chain continues from the last record it covers (or from the genesis, seq 1, when there
 * is none). `audit verify` reports those lines as a break (it cannot vouch for them either); the
 * count tells an auditor how many there were.
 */
export function startDetails(node: string, resume: ChainResume): string[] {
  const det = [`node=${node}`];
  if (resume.partial) {
    det.push(`partialLine=${resume.partial.line}`, `partialBytes=${resume.partial.bytes}`);
  }
  if (resume.unchainedLines > 0) det.push(`unchainedLines=${resume.unchainedLines}`);
  return det;
}

/** `recover`: the partial line a failed write left (and could not cut back), as `start` names one. */
export function recoverDetails(partial: {
  readonly line: number;
  readonly bytes: number;
}): string[] {
  return [`partialLine=${partial.line}`, `partialBytes=${partial.bytes}`];
}
