/**
 * The default audit sink: records go to a file in batches, each batch written and fdatasync'd
 * before any waiting request is told its record is written. Records arriving while a batch is
 * being synced form the next batch (group commit), so concurrent requests share one sync. The
 * batch writer decides what the lines are: as given (PlainBatchWriter), or sealed into the audit
 * chain (AuditChainWriter), in the order the records were handed over.
 */
import { IdpError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';
import { AppendOnlyFile } from './chain/append-only-file.js';
import type { AuditSink } from './audit-sink.js';

/** Writes one batch of records durably, in order, or throws; called one batch at a time. */
export interface BatchWriter {
  writeBatch(records: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  readonly record: string;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class FileAuditSink implements AuditSink {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    readonly file: string,
    private readonly writer: BatchWriter,
  ) {}

  /** A sink writing each record as one line, exactly as formatted (the chain off). */
  static async open(file: string, log?: ProcessLog): Promise<FileAuditSink> {
    return new FileAuditSink(file, new PlainBatchWriter(await AppendOnlyFile.open(file, log)));
  }

  write(record: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record: record.replace(/\n$/, ''), resolve, reject });
      void this.flush();
    });
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.writer.close();
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.writer.writeBatch(batch.map((p) => p.record));
          for (const p of batch) p.resolve();
        } catch (err) {
          const failure =
            err instanceof IdpError && err.code === 'AUDIT_WRITE_FAILED'
              ? err
              : new IdpError(
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
}

class PlainBatchWriter implements BatchWriter {
  constructor(private readonly file: AppendOnlyFile) {}

  writeBatch(records: readonly string[]): Promise<void> {
    return this.file.append(records.map((r) => `${r}\n`).join(''));
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
