/**
 * One node's records that pass a filter, read file after file in chain order. When the filter
 * names a value every match must contain (an actor, a target, a relying party), the decompressed
 * bytes are searched for it and only the lines that contain it are decoded and parsed; otherwise
 * each block of lines is decoded in one go and each line parsed. A rotated file whose next file
 * was opened on a day before --since holds only older records and is skipped whole; its own name
 * (the day it was opened) says nothing of where it ends.
 */
import { isAscii } from 'node:buffer';
import { AuditEntry, type AuditLayout } from './audit-entry.js';
import { AuditField } from '../audit-fields.js';
import { decodeLines, readByteChunks, type AuditFile, type ByteChunk } from './audit-files.js';
import type { CompiledFilter } from './audit-filter.js';
import type { MatchedRecord, ReadProblems } from './audit-merge.js';

export interface Scan {
  readonly layout: AuditLayout;
  readonly filter: CompiledFilter;
  readonly problems: ReadProblems;
}

const NL = 0x0a;

/** One node's matching records, a batch per block read. */
export async function* nodeRecords(
  node: number,
  files: readonly AuditFile[],
  scan: Scan,
): AsyncGenerator<MatchedRecord[]> {
  for (const [i, file] of files.entries()) {
    if (endsBefore(files[i + 1], scan.filter.sinceDay)) continue;
    for await (const chunk of readByteChunks(file, (e) => scan.problems.readError(e))) {
      if (chunk.partialLast) scan.problems.partialLine(file, chunk.firstLineNo);
      if (chunk.partialLast) continue; // a partial line is only ever a chunk of its own
      const out: MatchedRecord[] = [];
      const take = (text: string, lineNo: number) => {
        if (text === '' || !scan.filter.mayMatch(text)) return;
        const entry = AuditEntry.parse(scan.layout, text);
        if (scan.filter.accepts(entry))
          out.push({ node, file, lineNo, entry, time: entry.raw(AuditField.EVENT_TIME) });
      };
      if (scan.filter.needle) linesWith(chunk, scan.filter.needle, take);
      else eachLine(chunk, take);
      if (out.length > 0) yield out;
    }
  }
}

/**
 * Whether the file before `next` ended before `sinceDay`: it was closed when `next`, a rotated
 * file, was opened on its name day. The current file, or none, says nothing: never skipped.
 */
function endsBefore(next: AuditFile | undefined, sinceDay: string | undefined): boolean {
  return !!sinceDay && !!next?.date && !next.current && next.date < sinceDay;
}

/**
 * Calls `take` with each line and its number, each line decoded on its own: a record kept for
 * the output then holds its own line, not (through V8's sliced strings) the whole block's text.
 */
function eachLine(chunk: ByteChunk, take: (text: string, lineNo: number) => void): void {
  const { bytes } = chunk;
  const encoding = isAscii(bytes) ? 'latin1' : 'utf8';
  let start = 0;
  for (let lineNo = chunk.firstLineNo; start <= bytes.length; lineNo++) {
    let end = bytes.indexOf(NL, start);
    if (end === -1) end = bytes.length;
    take(bytes.toString(encoding, start, end), lineNo);
    start = end + 1;
  }
}

/** Calls `take` with each line of the chunk that contains `needle`, and its line number. */
function linesWith(
  chunk: ByteChunk,
  needle: Buffer,
  take: (text: string, lineNo: number) => void,
): void {
  const { bytes } = chunk;
  let start = 0;
  let lineNo = chunk.firstLineNo;
  for (let hit = bytes.indexOf(needle); hit !== -1; hit = bytes.indexOf(needle, start)) {
    let end = bytes.indexOf(NL, start);
    while (end !== -1 && end < hit) {
      lineNo++;
      start = end + 1;
      end = bytes.indexOf(NL, start);
    }
    if (end === -1) end = bytes.length;
    take(decodeLines(bytes.subarray(start, end)), lineNo);
    lineNo++;
    start = end + 1;
    if (start >= bytes.length) return;
  }
}
