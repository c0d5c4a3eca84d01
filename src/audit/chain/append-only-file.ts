/**
 * An append-only audit file: every append is written whole and then fdatasync'd before it
 * resolves. An append that fails (a full disk, an I/O error in the write or the sync) was never
 * acknowledged, so the file is cut back (ftruncate + fdatasync) to where it stood before it: the
 * trail reads as if it had not been tried. Only if that cut fails too does the file keep what the
 * append got into it, possibly ending in a partial line: the caller reads that back (readFrom),
 * and the next append starts on a new line. At open, a file that does not end in a line break (a
 * crash) gets one (synced) before anything else, with a WARN, so the fragment stays a line of its
 * own instead of being glued to the next record.
 */
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { IdpError } from '../../core/errors.js';
import type { ProcessLog } from '../../logging/process-log.js';

/** The calls an append makes on the file: a seam, so that tests can make them fail. */
export interface FileIo {
  write(handle: FileHandle, bytes: Buffer, offset: number): Promise<number>;
  datasync(handle: FileHandle): Promise<void>;
  truncate(handle: FileHandle, size: number): Promise<void>;
}

export const SYSTEM_IO: FileIo = {
  write: async (h, bytes, offset) =>
    (await h.write(bytes, offset, bytes.length - offset)).bytesWritten,
  datasync: (h) => h.datasync(),
  truncate: (h, size) => h.truncate(size),
};

export class AppendOnlyFile {
  io: FileIo = SYSTEM_IO;
  /** The file ends in a partial line (a failed append not cut back): the next append starts a new line. */
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

  /**
   * Appends `text` (after a line break if the file ends mid-line) and syncs it; if that fails, cuts
   * the file back to its size before, or, failing that, leaves it as the failure did.
   */
  async append(text: string): Promise<void> {
    const bytes = Buffer.from((this.mayEndMidLine ? '\n' : '') + text, 'utf8');
    const before = this.size;
    try {
      for (let offset = 0; offset < bytes.length;) {
        offset += await this.io.write(this.handle, bytes, offset);
      }
      await this.io.datasync(this.handle);
      this.mayEndMidLine = false;
      this.size += bytes.length;
    } catch (err) {
      await this.rollBack(before);
      throw err;
    }
  }

  /** The file's bytes from `offset` to its end (what a failed append left, say). */
  async readFrom(offset: number): Promise<Buffer> {
    const { size } = await this.handle.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  }

  /** Line breaks in the file's first `end` bytes (read in chunks). */
  async countLines(end: number): Promise<number> {
    const chunk = Buffer.alloc(1 << 20);
    let lines = 0;
    for (let pos = 0; pos < end;) {
      const { bytesRead } = await this.handle.read(
        chunk,
        0,
        Math.min(chunk.length, end - pos),
        pos,
      );
      if (bytesRead === 0) break;
      for (let i = chunk.indexOf(0x0a); i >= 0 && i < bytesRead; i = chunk.indexOf(0x0a, i + 1))
        lines++;
      pos += bytesRead;
    }
    return lines;
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  /** After a failed append: back to `before` bytes if the file can be cut, else as it was left. */
  private async rollBack(before: number): Promise<void> {
    try {
      if (this.regular) {
        await this.io.truncate(this.handle, before);
        await this.io.datasync(this.handle);
      }
    } catch {
      // Cannot cut it back: what the append wrote stays, and the caller reads it back.
    }
    this.size = await this.handle.stat().then(
      (st) => st.size,
      () => this.size,
    );
    this.mayEndMidLine = await this.endsMidLine();
  }

  private async endsMidLine(): Promise<boolean> {
    if (this.size === 0) return false; // also every device, such as /dev/full
    const last = Buffer.alloc(1);
    const read = await this.handle.read(last, 0, 1, this.size - 1).catch(() => undefined);
    return read?.bytesRead !== 1 || last[0] !== 0x0a;
  }

  private async startOnNewLine(log: ProcessLog | undefined): Promise<void> {
    if (!(await this.endsMidLine())) return;
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
