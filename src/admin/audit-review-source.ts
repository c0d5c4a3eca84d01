/**
 * What the auditors' page reads: the node's audit files, filtered as `audit query` filters them,
 * and the verify status of the current file (audit-verify.ts).
 */
import type { DayCounts } from './audit-chart.js';

export interface ReviewFilters {
  readonly since: string;
  readonly until: string;
  readonly actor: string;
  readonly target: string;
  readonly rp: string;
  readonly event: string;
  readonly impersonationOnly: boolean;
  readonly refusalsOnly: boolean;
}

export interface ReviewRow {
  readonly time: string;
  readonly actor: string;
  readonly target: string;
  readonly rp: string;
  readonly profile: string;
  readonly action: string;
  readonly event: string;
  readonly tx: string;
  readonly refusal: boolean;
}

export interface ReviewResult {
  /** Filters that could not be used (a time that does not parse …). */
  readonly problems: string[];
  readonly totals: {
    readonly matched: number;
    readonly impersonations: number;
    readonly refusals: number;
  };
  readonly days: DayCounts[];
  /** The newest matching records, newest first. */
  readonly rows: ReviewRow[];
}

export interface VerifyStatus {
  readonly ok: boolean;
  readonly summary: string;
  readonly problems: { file: string; line: number; kind: string; message: string }[];
  /** What verify cannot detect, one sentence each. */
  readonly cannotDetect: readonly string[];
}

export interface AuditReviewSource {
  /** Stops reading (with what it has) once `stop` is aborted. */
  review(filters: ReviewFilters, maxRows: number, stop?: AbortSignal): Promise<ReviewResult>;
  verifyCurrent(): Promise<VerifyStatus>;
}
