/**
 * The audit chain's writer (docs/auditing.md, "Tamper evidence"): the FileAuditSink's batch writer
 * when idp.audit.chain.enabled is on. Each batch is sealed at the moment it is written, in the order
 * its records were handed over, so the file order is the chain order; the FileAuditSink's contract
 * holds unchanged (a record's promise resolves only once its line is synced, else rejects).
 *
 * Between batches the writer rotates the file (by UTC day, by size); after a batch it adds a
 * signed checkpoint when idp.audit.checkpoint.records records were written since the last one.
 * A timer adds one idp.audit.checkpoint.interval after the last, if anything was written since;
 * close() adds the shutdown checkpoint. Batches, timer checkpoints and close run one at a time.
 *
 * A failed batch was never acknowledged: the file is cut back to where it stood before it and the
 * chain stays where it was. Should the file not be cut back, the chain continues after what the
 * batch did get into the file (audit-chain-resync.ts), so a record is never numbered twice nor a
 * gap left for a line that is not there, and a fragment it left is named by a `recover` record.
 */
import { hostname } from 'node:os';
import type { ProcessLog } from '../../logging/process-log.js';
import { AppendOnlyFile } from './append-only-file.js';
import { GENESIS_HASH, sealRecord, type ChainLink } from './audit-chain.js';
import { afterFailedAppend } from './audit-chain-resync.js';
import { checkpointDetails, type CheckpointKey } from './audit-checkpoint.js';
import { findChainState } from './audit-chain-recovery.js';
import {
  openDetails,
  recoverDetails,
  startDetails,
  TRAIL_RECOVERED,
  type ControlFormatter,
} from './audit-control-records.js';
import { AuditRotator } from './audit-rotator.js';
import { utcDay } from './audit-rotated-files.js';
import type { BatchWriter } from '../file-audit-sink.js';

export interface AuditChainOptions {
  readonly file: string;
  readonly key: CheckpointKey;
  readonly control: ControlFormatter;
  readonly checkpointRecords: number;
  readonly checkpointIntervalMs: number;
  readonly rotateDaily: boolean;
  /** Bytes; 0: no size rotation. */
  readonly rotateMaxSize: number;
  readonly compress: boolean;
  /** Days of rotated files kept; 0: all. */
  readonly maxHistoryDays: number;
  readonly now?: () => number;
  readonly log?: ProcessLog;
  /** The node named in the `start` record (idp.node.id; default: the host name). */
  readonly node?: string;
}

type Reason = 'interval' | 'shutdown' | 'rotation';

export class AuditChainWriter implements BatchWriter {
  /** Control records (open, start) not written yet: they lead the next batch. */
  pending: string[] = [];
  /** Chained lines since the last checkpoint (those before the start-up are not counted). */
  private sinceCheckpoint = 0;
  private lastCheckpointAt: number;
  private timer: NodeJS.Timeout | undefined;
  private serial: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly rotator: AuditRotator;

  private constructor(
    readonly o: AuditChainOptions,
    public file: AppendOnlyFile,
    public link: ChainLink | undefined,
    readonly now: () => number,
  ) {
    this.lastCheckpointAt = now();
    const fileDay = utcDay(file.size > 0 ? file.mtimeMs : now());
    this.rotator = new AuditRotator(this, fileDay);
  }

  /** Finds where the chain stands, opens the file and writes the `open` (new file) and `start` records. */
  static async open(o: AuditChainOptions): Promise<AuditChainWriter> {
    const resume = await findChainState(o.file, o.log);
    const w = new AuditChainWriter(
      o,
      await AppendOnlyFile.open(o.file, o.log),
      resume.link,
      o.now ?? Date.now,
    );
    if (resume.fresh)
      w.pending.push(o.control('open', openDetails(resume.link, resume.previousFile)));
    const event = resume.partial ? TRAIL_RECOVERED : undefined;
    w.pending.push(o.control('start', startDetails(o.node ?? hostname(), resume), event));
    if (resume.partial)
      o.log?.warn(
        `Audit chain: ${o.file} ended in a partial line (line ${resume.partial.line}, ${resume.partial.bytes} bytes): the chain resumes after the last whole record`,
      );
    // Not written now (an unwritable audit file)? Then with the first batch, which fails closed.
    await w
      .exclusive(() => w.append([]))
      .catch((err: Error) =>
        o.log?.warn(`Audit chain: start record not written yet: ${err.message}`),
      );
    w.rotator.start();
    return w;
  }

  writeBatch(records: readonly string[]): Promise<void> {
    return this.exclusive(async () => {
      await this.rotator.beforeBatch();
      await this.append(records);
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      clearTimeout(this.timer);
      await this.append([], 'shutdown').catch((err: Error) =>
        this.o.log?.warn(`Audit chain: shutdown checkpoint not written: ${err.message}`),
      );
      await this.file.close();
    });
    await this.rotator.settle();
  }

  /**
   * Seals pending control records, then `records`, and a checkpoint when `reason` is given or
   * idp.audit.checkpoint.records is reached (if anything is unchecked), and appends them at once.
   */
  async append(records: readonly string[], reason?: Reason): Promise<void> {
    const all = [...this.pending, ...records];
    const lines: string[] = [];
    let link = this.link;
    const seal = (record: string) => {
      const sealed = sealRecord(record, (link?.seq ?? 0) + 1, link?.hash ?? GENESIS_HASH);
      lines.push(`${sealed.line}\n`);
      link = sealed.link;
    };
    all.forEach(seal);
    let since = this.sinceCheckpoint + all.length;
    const due = reason ?? (since >= this.o.checkpointRecords ? 'interval' : undefined);
    if (due && link && since > 0) {
      seal(this.o.control('checkpoint', checkpointDetails(due, link.seq, link.hash, this.o.key)));
      since = 0;
    }
    if (lines.length === 0) return;
    const before = this.file.size;
    try {
      await this.file.append(lines.join(''));
    } catch (err) {
      await this.resync(before);
      throw err;
    }
    this.link = link;
    this.pending = [];
    this.sinceCheckpoint = since;
    if (since === 0) this.checkpointed();
    else this.armTimer();
  }

  /** Runs `fn` after everything queued before it (batches, timer checkpoints, close). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  /** After a failed append not cut back: the chain continues after what it did write. */
  private async resync(before: number): Promise<void> {
    const after = await afterFailedAppend(this.file, before, this.link);
    this.link = after.link;
    this.pending = this.pending.slice(Math.min(after.written, this.pending.length));
    this.sinceCheckpoint += after.written;
    if (after.written > 0 || after.fragment)
      this.o.log?.warn(
        `Audit chain: a failed write to ${this.file.file} could not be undone; ${after.written} record(s) of it stay in the file` +
          (after.fragment ? `, and a partial line (line ${after.fragment.line})` : ''),
      );
    if (after.fragment)
      this.pending.unshift(
        this.o.control('recover', recoverDetails(after.fragment), TRAIL_RECOVERED),
      );
  }

  private checkpointed(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastCheckpointAt = this.now();
  }

  private armTimer(): void {
    if (this.timer || this.closed) return;
    const delay = Math.max(0, this.lastCheckpointAt + this.o.checkpointIntervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.exclusive(() => (this.closed ? Promise.resolve() : this.append([], 'interval'))).catch(
        (err: Error) =>
          this.o.log?.warn(`Audit chain: interval checkpoint not written: ${err.message}`),
      );
    }, delay);
    this.timer.unref();
  }
}
