/** What a reload of the access-control policies reports: to its caller, the admin view and the audit log. */
import type { PolicySnapshot, PolicyStatus } from './policy-snapshot.js';

/** Who asked for a reload: the admin endpoint's caller (on this node or another), or the file watcher or signal. */
export interface ReloadCaller {
  /** The signed-in user, or "file-watcher" / the signal's name; "" for an anonymous caller. */
  readonly user: string;
  readonly clientAddress?: string;
  readonly userAgent?: string;
  readonly path?: string;
  /**
   * A reload asked of every node of a cluster (src/cluster/cluster-reload.ts): the request's id,
   * the same on each node's record, and the node that asked.
   */
  readonly clusterRequest?: { readonly id: string; readonly fromNode: string };
}

export interface ReloadReport {
  readonly result: ReloadResult;
  readonly caller: ReloadCaller;
  /** The files the reload read (labels relative to the configuration folder). */
  readonly files: readonly string[];
}

/** cluster: another node of the cluster asked every node to reload (its admin endpoint or `policy reload --all-nodes`). */
export type ReloadTrigger = 'startup' | 'file' | 'signal' | 'api' | 'cluster';

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
