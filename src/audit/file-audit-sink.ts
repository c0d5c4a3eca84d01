/**
 * The default audit sink: an append-only file, each batch of records followed by fdatasync before
 * any waiting request is told its record is written. Records arriving while a batch is being
 * synced form the next batch (group commit), so concurrent requests share one sync.
 */
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { IdpError } from '../errors.js';
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

  static async open(file: string): Promise<FileAuditSink> {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      return new FileAuditSink(file, await open(file, 'a'));
    } catch (err) {
      throw new IdpError('AUDIT_WRITE_FAILED', `cannot open audit log ${file}: ${(err as Error).message}`, { cause: err });
    }
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
          const failure = new IdpError('AUDIT_WRITE_FAILED', `audit record not written to ${this.file}: ${(err as Error).message}`, { cause: err });
          for (const p of batch) p.reject(failure);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async append(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
    await this.handle.datasync();
  }
}
