/**
 * Where the audit chain resumes at start-up: after the last complete chained line of the current
 * file; when the current file is missing or empty, after the last chained line of the newest
 * rotated file (gunzipped if need be); with neither, at the genesis (seq 1). A last line that
 * lacks only its line break (a crash between a record and its line break) is a complete line. What
 * the current file holds beyond that — a partial last line left by a crash, lines written while the
 * chain was off — is reported, for the `start` record to say so. The read is linear in the file's
 * size, whatever its lines (a line longer than any record is not kept).
 */
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ProcessLog } from '../../logging/process-log.js';
import { continuesChain, parseChainLine, type ChainLink } from './audit-chain.js';
import { rotatedFiles } from './audit-rotated-files.js';
import { MAX_LINE } from '../trail/audit-line-cutter.js';

export interface ChainResume {
  /** The record the chain continues from; undefined: the genesis. */
  readonly link: ChainLink | undefined;
  /** The current file has no lines yet: it gets an `open` record first. */
  readonly fresh: boolean;
  /** Basename of the rotated file the chain continues from, for a fresh file's `open` record. */
  readonly previousFile: string;
  /** A partial last line of the current file (no line break): its line number and length. */
  readonly partial?: { readonly line: number; readonly bytes: number };
  /** Complete lines of the current file after `link` that carry no chain trailer. */
  readonly unchainedLines: number;
}

/**
 * Longest line taken for a record: the records we write are a few KB, so a longer line is garbage
 * (a partial or unchained line) and is counted, not kept nor parsed.
 */

/** The lines of a file, read chunk by chunk: each line's chunks are joined once, at its end. */
class Scan {
  lines = 0;
  last?: ChainLink;
  unchainedAfter = 0;
  /** The line being read: its length, and its parts while it is not too long to be a record. */
  private parts: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      this.collect(chunk.subarray(from, nl));
      this.endLine();
      from = nl + 1;
    }
    this.collect(chunk.subarray(from));
  }

  /**
   * At the end of the file: the bytes of its partial last line (0: none). A last line that is a
   * whole record continuing the chain and lacks only its line break is taken as a line (the file
   * gets its line break at open): the chain continues from it.
   */
  end(): number {
    if (this.length === 0) return 0;
    const whole = this.last === undefined || this.unchainedAfter === 0;
    if (whole && continuesChain(this.last, this.parsed())) {
      this.endLine();
      return 0;
    }
    return this.length;
  }

  private collect(part: Buffer): void {
    this.length += part.length;
    if (this.length <= MAX_LINE) this.parts.push(part);
    else this.parts = [];
  }

  private parsed() {
    if (this.length > MAX_LINE) return undefined;
    return parseChainLine(Buffer.concat(this.parts, this.length).toString('utf8'));
  }

  private endLine(): void {
    const parsed = this.parsed();
    this.lines++;
    if (parsed) {
      this.last = { seq: parsed.seq, hash: parsed.hash };
      this.unchainedAfter = 0;
    } else this.unchainedAfter++;
    this.parts = [];
    this.length = 0;
  }
}

/** Reads every line of `stream` into `scan`; returns the bytes of a partial last line. */
async function scanLines(stream: Readable, scan: Scan): Promise<number> {
  for await (const chunk of stream as AsyncIterable<Buffer>) scan.push(chunk);
  return scan.end();
}

function sizeOf(file: string): number | undefined {
  try {
    const st = statSync(file);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

export async function findChainState(current: string, log?: ProcessLog): Promise<ChainResume> {
  if (sizeOf(current)) {
    const scan = new Scan();
    const partialBytes = await scanLines(createReadStream(current), scan);
    return {
      link: scan.last,
      fresh: false,
      previousFile: '',
      partial: partialBytes > 0 ? { line: scan.lines + 1, bytes: partialBytes } : undefined,
      unchainedLines: scan.last ? scan.unchainedAfter : scan.lines,
    };
  }
  const newest = rotatedFiles(current).at(-1);
  if (!newest) return { link: undefined, fresh: true, previousFile: '', unchainedLines: 0 };
  const stream = createReadStream(newest.path);
  const scan = new Scan();
  try {
    await scanLines(newest.compressed ? stream.pipe(createGunzip()) : stream, scan);
  } catch (err) {
    // A corrupt or truncated rotated file: continue from what could be read (or the genesis);
    // `audit verify` reports the break.
    stream.destroy();
    log?.warn(
      `Audit chain: cannot read ${newest.path} to continue its chain: ${(err as Error).message}`,
    );
  }
  return {
    link: scan.last,
    fresh: true,
    previousFile: path.basename(newest.path),
    unchainedLines: 0,
  };
}
