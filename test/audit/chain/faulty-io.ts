/** A file's system calls made to fail, as a full disk or a failing device would. */
import { SYSTEM_IO, type AppendOnlyFile } from '../../../src/audit/chain/append-only-file.js';

export interface Fault {
  /** The next append writes this many of its bytes (counted from its start), then fails. */
  readonly cutAt?: (bytes: Buffer) => number;
  /** The next append's fdatasync fails (after all its bytes were written). */
  readonly sync?: boolean;
  /** Rolling a failed append back (ftruncate) fails too. */
  readonly truncate?: boolean;
}

function eio(call: string): Error {
  return Object.assign(new Error(`EIO: i/o error, ${call}`), { code: 'EIO' });
}

/** Makes the next append to `file` fail as `fault` says; later appends succeed. */
export function failNextAppend(file: AppendOnlyFile, fault: Fault): void {
  let armed = true;
  file.io = {
    async write(handle, bytes, offset) {
      if (!armed || !fault.cutAt) return SYSTEM_IO.write(handle, bytes, offset);
      armed = false;
      const cut = fault.cutAt(bytes);
      if (cut > offset) await handle.write(bytes, offset, cut - offset);
      throw eio('write');
    },
    datasync(handle) {
      if (!armed || !fault.sync) return SYSTEM_IO.datasync(handle);
      armed = false;
      return Promise.reject(eio('fdatasync'));
    },
    truncate(handle, size) {
      if (fault.truncate) return Promise.reject(eio('ftruncate'));
      return SYSTEM_IO.truncate(handle, size);
    },
  };
}

/** Cut in the middle of the last line of the append. */
export const midLine = (bytes: Buffer): number => Math.floor(bytes.length / 2);
/** Cut just before the append's final line break. */
export const beforeLineBreak = (bytes: Buffer): number => bytes.length - 1;
