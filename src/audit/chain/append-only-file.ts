/**
 * An append-only audit file: every append is written whole and then fdatasync'd before it
 * resolves. A write that failed part-way (a full disk, a crash) can leave the file ending in a
 * partial line. Within one run the next append starts on a new line; at open, a file that does not
 * end in a line break gets one (synced) before anything else, with a WARN, so the fragment stays a
 * line of its own instead of being glued to the next record.
 */
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { IdpError } from '../../core/errors.js';
import type { ProcessLog } from '../../logging/process-log.js';

export class AppendOnlyFile {
  /** After a failed write the file may end in a partial line; the next append starts a new line. */
  private mayEndMidLine = false;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    /** Bytes in the file, as far as this process knows (re-read after a failed append). */
    public size: number,
    /** False for devices such as /dev/full: never rotated. */
    readonly regular: boolean,
    readonly mtimeMs: number,
  ) {}

  static async open(file: string, log?: ProcessLog): Promise<AppendOnlyFile> {
    mkdirSync(path.dirname(file), { recursive: true });
    let f: AppendOnlyFile;
    try {
      // a+: appends, and can read the last byte back.
      const handle = await open(file, 'a+');
      const st = await handle.stat();
      f = new AppendOnlyFile(file, handle, st.size, st.isFile(), st.mtimeMs);
    } catch (err) {
      throw new IdpError(
        'AUDIT_WRITE_FAILED',
        `cannot open audit log ${file}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    await f.startOnNewLine(log);
    return f;
  }

  /** Appends `text` (after a line break if an earlier append failed) and syncs it. */
  async append(text: string): Promise<void> {
    const bytes = Buffer.from((this.mayEndMidLine ? '\n' : '') + text, 'utf8');
    try {
      for (let offset = 0; offset < bytes.length;) {
        const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
      await this.handle.datasync();
      this.mayEndMidLine = false;
      this.size += bytes.length;
    } catch (err) {
      this.mayEndMidLine = true;
      this.size = await this.handle.stat().then(
        (st) => st.size,
        () => this.size,
      );
      throw err;
    }
  }

  /** The file's bytes from `offset` to its end, as text (what a failed append left, say). */
  async readFrom(offset: number): Promise<string> {
    const { size } = await this.handle.stat();
    if (size <= offset) return '';
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead).toString('utf8');
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private async startOnNewLine(log: ProcessLog | undefined): Promise<void> {
    if (this.size === 0) return; // also every device, such as /dev/full
    const last = Buffer.alloc(1);
    await this.handle.read(last, 0, 1, this.size - 1);
    if (last[0] === 0x0a) return;
    try {
      await this.append('\n');
      log?.warn(
        `Audit log ${this.file} ended in a partial record (a write failed before the last stop); it now ends with a line break and the next record starts on a new line`,
      );
    } catch (err) {
      // The first append will start with the line break instead; if the disk is still failing, it
      // fails as any audit write would.
      log?.warn(
        `Audit log ${this.file} ended in a partial record and the line break could not be written yet: ${(err as Error).message}`,
      );
    }
  }
}
