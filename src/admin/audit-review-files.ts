/**
 * The auditors' page over this node's audit files: the records that pass the filters (the reader
 * and filters of `audit query`), counted per day with `audit summary`'s rules, the newest kept for
 * the table; and `audit verify` over the current file alone (anchored on its `open` record).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { auditLayout, decode } from '../audit/trail/audit-entry.js';
import { AuditField as F } from '../audit/audit-fields.js';
import { nodeFiles, type AuditFile, type AuditReadError } from '../audit/trail/audit-files.js';
import {
  actorOf,
  compileFilter,
  isRefusal,
  targetOf,
  type AuditFilter,
} from '../audit/trail/audit-filter.js';
import { auditTimestamp, type FormatToken } from '../audit/audit-format.js';
import type { MatchedRecord } from '../audit/trail/audit-merge.js';
import { AuditSummary } from '../audit/trail/audit-summary.js';
import { nodeRecords } from '../audit/trail/audit-scan.js';
import { isoTime, parseAuditTime, TIME_EXPECTED } from '../audit/trail/audit-time.js';
import { verifyAuditTrail } from '../audit/verify/audit-verify.js';
import { daysBetween, type DayCounts } from './audit-chart.js';
import { verifyStatusOf } from './audit-review-verify.js';
import type {
  AuditReviewSource,
  ReviewFilters,
  ReviewResult,
  ReviewRow,
  VerifyStatus,
} from './audit-review-source.js';

export interface AuditReviewFilesOptions {
  /** idp.audit.file: the current file; its rotated files lie beside it. */
  readonly auditFile: string;
  readonly tokens: readonly FormatToken[];
  /** idp.audit.signing.publicKey. */
  readonly publicKeyFile: string;
  /** idp.audit.review.defaultWindow. */
  readonly defaultWindowMs: number;
  readonly now?: () => number;
}

export function auditReviewFiles(options: AuditReviewFilesOptions): AuditReviewSource {
  const layout = auditLayout(options.tokens);
  const stem = path.basename(options.auditFile).replace(/\.log$/, '');
  const now = options.now ?? Date.now;
  return {
    async review(filters, maxRows, stop) {
      const { filter, problems } = auditFilterOf(filters, options.defaultWindowMs, now());
      const tally = new Tally(maxRows);
      const scan = {
        layout,
        filter: compileFilter(filter, options.tokens, layout),
        problems: {
          readError: (e: AuditReadError) =>
            problems.push(
              e.line === undefined
                ? `${path.basename(e.file.path)}: unreadable after line ${e.afterLine}: ${e.message}`
                : `${path.basename(e.file.path)}:${e.line}: ${e.message}`,
            ),
          partialLine: (file: AuditFile, lineNo: number) =>
            problems.push(
              `${path.basename(file.path)}:${lineNo}: partial line (a write cut short), skipped`,
            ),
        },
      };
      for await (const batch of nodeRecords(0, nodeFiles(options.auditFile, stem), scan)) {
        if (stop?.aborted) break;
        for (const r of batch) tally.add(r);
      }
      return tally.result(problems);
    },
    async verifyCurrent(): Promise<VerifyStatus> {
      const key = readPublicKey(options.publicKeyFile);
      if (typeof key === 'string')
        return { ok: false, summary: key, problems: [], cannotDetect: [] };
      const current = nodeFiles(options.auditFile, stem).filter((f) => f.current);
      const report = await verifyAuditTrail([current], {
        publicKeys: [key],
        format: [...options.tokens],
      });
      return verifyStatusOf(report);
    },
  };
}

/** The page's filters as the reader's; a time that does not parse is a problem, not a window. */
function auditFilterOf(
  f: ReviewFilters,
  defaultWindowMs: number,
  now: number,
): { filter: AuditFilter; problems: string[] } {
  const problems: string[] = [];
  const time = (name: string, text: string) => {
    if (text === '') return undefined;
    const t = parseAuditTime(text, now);
    if (t === undefined) problems.push(`${name} ${JSON.stringify(text)}: ${TIME_EXPECTED}`);
    return t;
  };
  const since = time('since', f.since) ?? auditTimestamp(now - defaultWindowMs);
  const list = (text: string) =>
    text
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  return {
    filter: {
      since,
      until: time('until', f.until),
      actor: f.actor || undefined,
      target: f.target || undefined,
      rp: f.rp || undefined,
      events: f.event ? list(f.event) : undefined,
      impersonationOnly: f.impersonationOnly,
      refusalsOnly: f.refusalsOnly,
    },
    problems,
  };
}

/** Counts every match and keeps the newest `maxRows` for the table. */
class Tally {
  private readonly newest: ReviewRow[] = [];
  /** Impersonations and refusals per day, counted as `audit summary` counts them. */
  private readonly summary = new AuditSummary();
  private matched = 0;

  constructor(private readonly maxRows: number) {}

  add(r: MatchedRecord): void {
    const e = r.entry;
    this.matched++;
    this.summary.add(e);
    this.newest.push({
      time: isoTime(r.time),
      actor: decode(actorOf(e)),
      target: decode(targetOf(e)),
      rp: e.value(F.RELYING_PARTY),
      profile: e.value(F.PROFILE),
      action: e.value(F.ACTION),
      event: e.value(F.EVENT),
      tx: e.value(F.TRANSACTION_ID),
      refusal: isRefusal(e),
    });
    if (this.newest.length > this.maxRows * 2)
      this.newest.splice(0, this.newest.length - this.maxRows);
  }

  result(problems: string[]): ReviewResult {
    const byDay = new Map(
      this.summary
        .rows()
        .filter((row) => row.group === 'day' && /^\d{4}-\d{2}-\d{2}$/.test(row.key))
        .map((row) => [row.key, row]),
    );
    const known = [...byDay.keys()];
    const days: DayCounts[] =
      known.length === 0
        ? []
        : daysBetween(known[0]!, known.at(-1)!).map((day) => ({
            day,
            impersonations: byDay.get(day)?.impersonations ?? 0,
            refusals: byDay.get(day)?.refusals ?? 0,
          }));
    const total = (n: 'impersonations' | 'refusals') =>
      [...byDay.values()].reduce((sum, row) => sum + row[n], 0);
    return {
      problems,
      totals: {
        matched: this.matched,
        impersonations: total('impersonations'),
        refusals: total('refusals'),
      },
      days,
      rows: this.newest.slice(-this.maxRows).reverse(),
    };
  }
}

function readPublicKey(file: string): KeyObject | string {
  try {
    return createPublicKey(readFileSync(file));
  } catch (err) {
    return `cannot read the audit public key ${file}: ${(err as Error).message}`;
  }
}
