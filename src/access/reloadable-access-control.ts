/**
 * The IdP's AccessControlService: the named policies of conf/access-control.yaml, reloadable while
 * the IdP runs. A reload — when any file involved changes (watched, debounced), on SIGHUP, or by
 * reload() (the admin endpoint) — builds a complete new snapshot off to the side while the current
 * one keeps answering, and swaps the reference only once every policy has compiled. So no
 * decision ever sees a half-loaded policy (casbin's own loadPolicy() clears the rules first and
 * answers from an empty or partial policy meanwhile). The build pauses every few milliseconds
 * (engine/cooperative.ts), so decisions keep being answered — by the previous snapshot — while it
 * runs.
 *
 * Only a complete, consistent save takes effect (policy-loader.ts): every file must end with the
 * end marker, and the files must not change while they are read. A broken or incomplete edit
 * changes nothing: the last good policies stay in force, an ERROR names each problem's file and
 * line, and status() shows it. The first load is strict: such a policy keeps the IdP from starting.
 */
import path from 'node:path';
import { inNewTransaction } from '../core/transaction.js';
import { safeForLog, type ProcessLog } from '../logging/process-log.js';
import {
  missingPolicy,
  type AccessControl,
  type AccessControlService,
  type AccessRequest,
} from './access-control.js';
import type { Pacing } from './engine/cooperative.js';
import { PolicyErrors } from './policy-errors.js';
import { ACCESS_CONTROL_FILE, fileLabel } from './policy-files.js';
import { loadPolicies } from './policy-loader.js';
import { missingPolicies, policyReferences, type PolicyReference } from './policy-references.js';
import type { PolicySnapshot } from './policy-snapshot.js';
import {
  snapshotSummary,
  type AccessControlStatus,
  type ReloadCaller,
  type ReloadReport,
  type ReloadResult,
  type ReloadTrigger,
} from './reload-report.js';
import { PolicyWatcher } from './policy-watcher.js';

export interface ReloadableOptions {
  readonly confDir: string;
  /** Expands %{…} references in access-control.yaml (the IdP's properties). */
  readonly lookup: (key: string) => string | undefined;
  /** Category net.shibboleth.idp.access. */
  readonly log: ProcessLog;
  /** Policy names that properties refer to; a missing one is a WARN (it denies). Default: policyReferences(lookup). */
  readonly references?: readonly PolicyReference[];
  /** Reload when access-control.yaml or a file it names changes (default true). */
  readonly watch?: boolean;
  readonly debounceMs?: number;
  /** Reload on this signal (default SIGHUP; null for none). */
  readonly signal?: NodeJS.Signals | null;
  /** How often a build pauses for the event loop (default: every DEFAULT_SLICE_MS). */
  readonly pacing?: Pacing;
  /**
   * Told of every reload once it is decided, before reload() answers (the audit record, see
   * src/admin/admin-audit.ts). If it throws, reload() rejects; a background reload logs an ERROR.
   */
  readonly onReload?: (report: ReloadReport) => Promise<void>;
}

/** What the admin view (src/admin/access-control-admin.ts) asks of the access-control service. */
export interface ReloadableAccessControl extends AccessControlService {
  status(): AccessControlStatus;
  reload(trigger?: ReloadTrigger, caller?: ReloadCaller): Promise<ReloadResult>;
}

export class ReloadableAccessControlService implements ReloadableAccessControl {
  private generationCount = 1;
  private lastReload: ReloadResult;
  private warnings: string[] = [];
  private running?: Promise<ReloadResult>;
  private queued?: Promise<ReloadResult>;
  private readonly handles = new Map<string, AccessControl>();
  private readonly watcher?: PolicyWatcher;
  private readonly onSignal = (signal: NodeJS.Signals) =>
    this.inBackground('signal', { user: signal });

  private constructor(
    private current: PolicySnapshot,
    private readonly options: ReloadableOptions,
    started: number,
    sourceFiles: readonly string[],
  ) {
    this.lastReload = {
      ok: true,
      trigger: 'startup',
      at: new Date().toISOString(),
      durationMs: Math.round(performance.now() - started),
      generation: 1,
    };
    this.warnings = this.missing(current);
    for (const w of this.warnings) options.log.warn(w);
    if (options.watch !== false) {
      this.watcher = new PolicyWatcher(
        () => this.inBackground('file', { user: 'file-watcher' }),
        options.debounceMs ?? 250,
        (m) => options.log.warn(m),
      );
      this.watcher.watch(sourceFiles);
    }
    if (this.signal) process.on(this.signal, this.onSignal);
  }

  /** Loads every policy; throws a ConfigurationError (file:line, key) when one is broken. */
  static async start(options: ReloadableOptions): Promise<ReloadableAccessControlService> {
    const started = performance.now();
    const { snapshot, set } = await loadPolicies({
      confDir: options.confDir,
      lookup: options.lookup,
      pacing: options.pacing ?? {},
    });
    return new ReloadableAccessControlService(snapshot, options, started, set.sourceFiles);
  }

  /** The policy's decisions always come from the snapshot in force at the time of the call. */
  getInstance(policyName: string): AccessControl {
    let handle = this.handles.get(policyName);
    if (!handle) {
      handle = {
        checkAccess: (request: AccessRequest) => this.policy(policyName).checkAccess(request),
      };
      this.handles.set(policyName, handle);
    }
    return handle;
  }

  /** The snapshot in force (for explanations and the admin view). */
  get snapshot(): PolicySnapshot {
    return this.current;
  }

  /** Counts successful loads: 1 after start, +1 per successful reload. */
  get generation(): number {
    return this.generationCount;
  }

  /**
   * Rebuilds every policy and swaps them in if all compile and onReload (the audit record) has
   * accepted the reload: a reload that cannot be recorded does not take effect. A failed reload is
   * reported to onReload too. A reload asked for meanwhile runs after.
   */
  reload(
    trigger: ReloadTrigger = 'api',
    caller: ReloadCaller = { user: '' },
  ): Promise<ReloadResult> {
    return this.scheduled(trigger, caller);
  }

  /** A reload nobody waits for (file watcher, signal): a transaction of its own, errors logged. */
  private inBackground(trigger: ReloadTrigger, caller: ReloadCaller): void {
    void inNewTransaction(() =>
      this.reload(trigger, caller).catch((err: unknown) =>
        this.options.log.error(
          `Access-control reload (${trigger}) not recorded: ${safeForLog((err as Error).message)}`,
        ),
      ),
    );
  }

  private scheduled(trigger: ReloadTrigger, caller: ReloadCaller): Promise<ReloadResult> {
    if (this.running) {
      this.queued ??= this.running.then(() => {
        this.queued = undefined;
        return this.scheduled(trigger, caller);
      });
      return this.queued;
    }
    this.running = this.rebuild(trigger, caller).finally(() => (this.running = undefined));
    return this.running;
  }

  status(): AccessControlStatus {
    return {
      generation: this.generationCount,
      loadedAt: this.current.builtAt.toISOString(),
      loadMs: Math.round(this.current.buildMs),
      policies: this.current.status(),
      sourceFiles: [this.yamlFile, ...this.current.sourceFiles].map((f) =>
        fileLabel(this.options.confDir, f),
      ),
      watching: this.watcher !== undefined,
      ...(this.signal ? { reloadSignal: this.signal } : {}),
      lastReload: this.lastReload,
      warnings: this.warnings,
    };
  }

  close(): void {
    this.watcher?.close();
    if (this.signal) process.off(this.signal, this.onSignal);
  }

  private policy(name: string): AccessControl {
    return this.current.get(name) ?? missingPolicy(name, this.options.log);
  }

  private async rebuild(trigger: ReloadTrigger, caller: ReloadCaller): Promise<ReloadResult> {
    const started = performance.now();
    let watched = [this.yamlFile, ...this.current.sourceFiles];
    let loaded: Awaited<ReturnType<typeof loadPolicies>> | undefined;
    let problem: unknown;
    try {
      loaded = await loadPolicies({
        confDir: this.options.confDir,
        lookup: this.options.lookup,
        pacing: this.options.pacing ?? {},
        onRead: (set) => (watched = set.sourceFiles),
      });
    } catch (err) {
      problem = err;
    } finally {
      this.watcher?.watch(watched);
    }
    const files = [...new Set([this.yamlFile, ...watched])].map((f) =>
      fileLabel(this.options.confDir, f),
    );
    if (!loaded) return this.failed(trigger, started, caller, files, problem);
    const result = {
      ...this.result(true, trigger, started),
      generation: this.generationCount + 1,
    };
    try {
      await this.options.onReload?.({ result, caller, files });
    } catch (err) {
      return this.failed(
        trigger,
        started,
        undefined,
        files,
        err,
        'not recorded in the audit log: ',
      );
    }
    this.swapIn(loaded.snapshot, loaded.attempts, result);
    return result;
  }

  private swapIn(next: PolicySnapshot, attempts: number, result: ReloadResult): void {
    this.current = next; // the swap: one assignment, between two decisions
    this.generationCount = result.generation;
    this.warnings = this.missing(next);
    this.lastReload = result;
    const reread = attempts > 1 ? `, read ${attempts} times: the files changed meanwhile` : '';
    this.options.log.info(
      `Access-control policies reloaded (${result.trigger}, generation ${this.generationCount}, ${result.durationMs} ms${reread}): ${snapshotSummary(next)}`,
    );
    for (const w of this.warnings) this.options.log.warn(w);
  }

  /**
   * A reload that did not take effect: the previous policies stay. Its record is written (when
   * `caller` is given) after the fact, since nothing changed; a failure to write it is logged.
   */
  private async failed(
    trigger: ReloadTrigger,
    started: number,
    caller: ReloadCaller | undefined,
    files: readonly string[],
    err: unknown,
    prefix = '',
  ): Promise<ReloadResult> {
    const { log } = this.options;
    const problems = (prefix ? [] : PolicyErrors.of(err)).map((p) => p.message);
    const errors = problems.length > 0 ? problems : [prefix + safeForLog((err as Error).message)];
    this.lastReload = { ...this.result(false, trigger, started), errors };
    for (const e of errors) log.error(`Access-control policies not reloaded: ${e}`);
    log.error(
      `Access-control policies not reloaded (${trigger}): the previous policies (generation ${this.generationCount}) stay in force`,
    );
    if (caller) {
      await this.options
        .onReload?.({ result: this.lastReload, caller, files })
        .catch((e: unknown) =>
          log.error(
            `Failed access-control reload not recorded: ${safeForLog((e as Error).message)}`,
          ),
        );
    }
    return this.lastReload;
  }

  private result(ok: boolean, trigger: ReloadTrigger, started: number): ReloadResult {
    return {
      ok,
      trigger,
      at: new Date().toISOString(),
      durationMs: Math.round(performance.now() - started),
      generation: this.generation,
    };
  }

  private missing(snapshot: PolicySnapshot): string[] {
    const references = this.options.references ?? policyReferences(this.options.lookup);
    return missingPolicies(
      references,
      new Set(snapshot.names),
      fileLabel(this.options.confDir, this.yamlFile),
    );
  }

  private get yamlFile(): string {
    return path.join(this.options.confDir, ACCESS_CONTROL_FILE);
  }

  private get signal(): NodeJS.Signals | null {
    return this.options.signal === undefined ? 'SIGHUP' : this.options.signal;
  }
}
