/** What a reload of the access-control policies reports: to its caller, the admin view and the audit log. */
import type { PolicySnapshot, PolicyStatus } from './policy-snapshot.js';

/** Who asked for a reload: the admin endpoint's caller, or the file watcher or signal. */
export interface ReloadCaller {
  /** The signed-in user, or "file-watcher" / the signal's name; "" for an anonymous caller. */
  readonly user: string;
  readonly clientAddress?: string;
  readonly userAgent?: string;
  readonly path?: string;
}

export interface ReloadReport {
  readonly result: ReloadResult;
  readonly caller: ReloadCaller;
  /** The files the reload read (labels relative to the configuration folder). */
  readonly files: readonly string[];
}

export type ReloadTrigger = 'startup' | 'file' | 'signal' | 'api';

export interface ReloadResult {
  readonly ok: boolean;
  readonly trigger: ReloadTrigger;
  /** When the reload finished (ISO 8601). */
  readonly at: string;
  readonly durationMs: number;
  /** The generation serving afterwards (unchanged when the reload failed). */
  readonly generation: number;
  /** Each problem as "file:line: key: problem", when the reload failed. */
  readonly errors?: readonly string[];
}

export interface AccessControlStatus {
  readonly generation: number;
  /** When the policies in force were built, and how long it took. */
  readonly loadedAt: string;
  readonly loadMs: number;
  readonly policies: readonly PolicyStatus[];
  readonly sourceFiles: readonly string[];
  readonly watching: boolean;
  readonly reloadSignal?: string;
  /** The latest reload attempt, successful or not. */
  readonly lastReload: ReloadResult;
  /** Policy names referred to but not defined. */
  readonly warnings: readonly string[];
}

/** The policies of a snapshot and their rule counts, for the reload's log line. */
export function snapshotSummary(snapshot: PolicySnapshot): string {
  return snapshot
    .status()
    .map(
      (p) =>
        `${p.name} (${Object.entries(p.rules)
          .map(([t, n]) => `${n} ${t}`)
          .join(', ')}; ${p.indexed ? 'indexed' : `casbin: ${p.note ?? ''}`})`,
    )
    .join(', ');
}
