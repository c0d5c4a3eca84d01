/**
 * Rotation of the chained audit file, between two batches so that no record is ever split: when
 * the UTC day of the records in the file is over (idp.audit.rotate.daily) or the file has reached
 * idp.audit.rotate.maxSize, the file gets a signed `rotation` checkpoint as its last line, is
 * renamed to <stem>-<day>[.n].log, a new current file is opened whose first line (written with the
 * batch that follows) is an `open` record naming the previous file, and the rotated file is then
 * compressed in the background (idp.audit.rotate.compress) and expired files are deleted
 * (idp.audit.rotate.maxHistory).
 *
 * Failure policy: a rotation that fails loses nothing. Records keep going to the current file (a
 * WARN says why), and rotation is tried again a minute later — never before every batch, so a
 * rename that keeps failing does not slow every request. If the new file cannot be opened after
 * the rename, the rename is undone. Only the records' own write decides whether a request fails.
 */
import { rename } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessLog } from '../../logging/process-log.js';
import { AppendOnlyFile } from './append-only-file.js';
import type { ChainLink } from './audit-chain.js';
import { openDetails, type ControlFormatter } from './audit-control-records.js';
import { nextRotatedPath, utcDay } from './audit-rotated-files.js';
import { compressFile, deleteExpired, finishCompression, syncDir } from './audit-rotation.js';

const RETRY_MS = 60_000;

/** What the rotator needs of the chain writer (audit-chain-writer.ts). */
export interface RotatedWriter {
  readonly o: {
    readonly file: string;
    readonly control: ControlFormatter;
    readonly rotateDaily: boolean;
    readonly rotateMaxSize: number;
    readonly compress: boolean;
    readonly maxHistoryDays: number;
    readonly log?: ProcessLog;
  };
  file: AppendOnlyFile;
  readonly link: ChainLink | undefined;
  pending: string[];
  readonly now: () => number;
  /** Appends pending records and a checkpoint for `reason`. */
  append(records: readonly string[], reason: 'rotation'): Promise<void>;
}

export class AuditRotator {
  private retryAt = 0;
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly w: RotatedWriter,
    /** UTC day of the records in the current file. */
    private fileDay: string,
  ) {}

  /** At start-up: finishes what an interrupted run left (compression, expiry). */
  start(): void {
    const { o, file } = this.w;
    if (!file.regular) return;
    if (o.compress) this.inBackground('compress rotated files', finishCompression(o.file));
    this.inBackground('expire', deleteExpired(o.file, this.w.now(), o.maxHistoryDays, o.log));
  }

  async beforeBatch(): Promise<void> {
    const { o, file } = this.w;
    if (!file.regular) return; // a device such as /dev/full is never rotated
    const now = this.w.now();
    const day = utcDay(now);
    const byDay = o.rotateDaily && day > this.fileDay;
    const bySize = o.rotateMaxSize > 0 && file.size >= o.rotateMaxSize;
    if ((!byDay && !bySize) || now < this.retryAt) return;
    try {
      await this.rotate(day);
    } catch (err) {
      this.retryAt = now + RETRY_MS;
      o.log?.warn(
        `Audit log ${o.file} not rotated (records go on to it; retried in a minute): ${(err as Error).message}`,
      );
    }
  }

  /** Waits for background compression and expiry. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  private async rotate(day: string): Promise<void> {
    const { o } = this.w;
    // 1. The closing file ends with a signed checkpoint (throws if it cannot: nothing moved).
    await this.w.append([], 'rotation');
    const rotated = nextRotatedPath(o.file, this.fileDay);
    await rename(o.file, rotated);
    let next: AppendOnlyFile;
    try {
      next = await AppendOnlyFile.open(o.file, o.log);
    } catch (err) {
      await rename(rotated, o.file);
      throw err;
    }
    const old = this.w.file;
    this.w.file = next;
    this.fileDay = day;
    await old.close();
    await syncDir(path.dirname(o.file)).catch(() => undefined);
    // The name the file will have: with compression on, the .gz (should compressing fail, the
    // plain file stays and a reader finds it under the name without .gz).
    const previousFile = path.basename(rotated) + (o.compress ? '.gz' : '');
    this.w.pending.unshift(o.control('open', openDetails(this.w.link, previousFile)));
    const expire = () => deleteExpired(o.file, this.w.now(), o.maxHistoryDays, o.log);
    this.inBackground(
      `rotate ${rotated}`,
      o.compress ? compressFile(rotated).then(expire) : expire(),
    );
  }

  private inBackground(what: string, work: Promise<void>): void {
    const tracked = work.catch((err: Error) =>
      this.w.o.log?.warn(`Audit log: ${what} failed: ${err.message}`),
    );
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}
