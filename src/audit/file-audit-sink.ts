/**
 * The default audit sink: an append-only file, each batch of records followed by fdatasync before
 * any waiting request is told its record is written. Records arriving while a batch is being
 * synced form the next batch (group commit), so concurrent requests share one sync.
 *
 * A write that failed part-way (a full disk, a crash) can leave the file ending in a partial
 * line. Within one run the next batch starts on a new line; at start-up, a file that does not end
 * in a line break gets one (synced) before anything else, with a WARN, so the fragment stays a
 * line of its own instead of being glued to the next record.
 */
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { IdpError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { AuditSink } from './audit-sink.js';

interface Pending {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class FileAuditSink implements AuditSink {
  private queue: Pending[] = [];
  private flushing = false;
  /** After a failed write the file may end in a partial line; the next batch starts a new line. */
  private mayEndMidLine = false;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(file: string, log?: ProcessLog): Promise<FileAuditSink> {
    mkdirSync(path.dirname(file), { recursive: true });
    let sink: FileAuditSink;
    try {
      // a+: appends, and can read the last byte back.
      sink = new FileAuditSink(file, await open(file, 'a+'));
    } catch (err) {
      throw new IdpError(
        'AUDIT_WRITE_FAILED',
        `cannot open audit log ${file}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    await sink.startOnNewLine(log);
    return sink;
  }

  write(record: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line: record.endsWith('\n') ? record : `${record}\n`, resolve, reject });
      void this.flush();
    });
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.handle.close();
  }

  private async startOnNewLine(log: ProcessLog | undefined): Promise<void> {
    const { size } = await this.handle.stat();
    if (size === 0) return; // also every device, such as /dev/full
    const last = Buffer.alloc(1);
    await this.handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    try {
      await this.append('\n');
      log?.warn(
        `Audit log ${this.file} ended in a partial record (a write failed before the last stop); it now ends with a line break and the next record starts on a new line`,
      );
    } catch (err) {
      // The first batch will start with the line break instead; if the disk is still failing, it
      // fails as any audit write would.
      this.mayEndMidLine = true;
      log?.warn(
        `Audit log ${this.file} ended in a partial record and the line break could not be written yet: ${(err as Error).message}`,
      );
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.append((this.mayEndMidLine ? '\n' : '') + batch.map((p) => p.line).join(''));
          this.mayEndMidLine = false;
          for (const p of batch) p.resolve();
        } catch (err) {
          this.mayEndMidLine = true;
          const failure = new IdpError(
            'AUDIT_WRITE_FAILED',
            `audit record not written to ${this.file}: ${(err as Error).message}`,
            { cause: err },
          );
          for (const p of batch) p.reject(failure);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async append(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length;) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
    await this.handle.datasync();
  }
}
