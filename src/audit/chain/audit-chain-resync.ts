/**
 * Where the chain stands after an append that failed and could not be cut back (append-only-file.ts
 * cuts a failed append back whenever it can; then nothing of it is left and the chain stays where
 * it was). What the append got into the file is read back: each whole line that continues the
 * chain was written, and so is a last line that continues it and lacks only its line break (the
 * next append starts with that line break) — so no seq is used twice nor skipped. A last fragment
 * that is not a whole record is named by a `recover` record leading the next batch (its line and
 * bytes, as a `start` record names a crash's partial line), for `audit verify` to take as a note.
 */
import type { AppendOnlyFile } from './append-only-file.js';
import { continuesChain, parseChainLine, type ChainLink } from './audit-chain.js';

export interface AfterFailure {
  /** Where the chain continues. */
  readonly link: ChainLink | undefined;
  /** Chained lines of the failed append that are in the file. */
  readonly written: number;
  /** A last line of the append cut short: its line number and length in bytes. */
  readonly fragment?: { readonly line: number; readonly bytes: number };
}

/** What the failed append that began at byte `before` left in `file`, the chain being at `link`. */
export async function afterFailedAppend(
  file: AppendOnlyFile,
  before: number,
  link: ChainLink | undefined,
): Promise<AfterFailure> {
  const tail = await file.readFrom(before).catch(() => Buffer.alloc(0));
  let written = 0;
  let start = 0;
  const take = (end: number): boolean => {
    const parsed = parseChainLine(tail.subarray(start, end).toString('utf8'));
    if (!continuesChain(link, parsed)) return false;
    link = { seq: parsed!.seq, hash: parsed!.hash };
    written++;
    return true;
  };
  for (let nl = tail.indexOf(0x0a); nl >= 0; nl = tail.indexOf(0x0a, start)) {
    take(nl);
    start = nl + 1;
  }
  if (start === tail.length || take(tail.length)) return { link, written };
  const line = (await file.countLines(before + start)) + 1;
  return { link, written, fragment: { line, bytes: tail.length - start } };
}
