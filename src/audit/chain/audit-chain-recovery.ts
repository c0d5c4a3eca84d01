/**
 * Where the audit chain resumes at start-up: after the last complete chained line of the current
 * file; when the current file is missing or empty, after the last chained line of the newest
 * rotated file (gunzipped if need be); with neither, at the genesis (seq 1). What the current file
 * holds beyond that — a partial last line left by a crash, lines written while the chain was off —
 * is reported, for the `start` record to say so.
 */
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ProcessLog } from '../../logging/process-log.js';
import { parseChainLine, type ChainLink } from './audit-chain.js';
import { rotatedFiles } from './audit-rotated-files.js';

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

interface Scan {
  lines: number;
  last?: ChainLink;
  unchainedAfter: number;
  partialBytes: number;
}

/** Reads every line of `stream` into `scan`, keeping the last chained one (also when it fails). */
async function scanLines(
  stream: Readable,
  scan: Scan = { lines: 0, unchainedAfter: 0, partialBytes: 0 },
): Promise<Scan> {
  let carry = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let nl: number;
    while ((nl = data.indexOf(0x0a)) >= 0) {
      const parsed = parseChainLine(data.subarray(0, nl).toString('utf8'));
      scan.lines++;
      if (parsed) {
        scan.last = { seq: parsed.seq, hash: parsed.hash };
        scan.unchainedAfter = 0;
      } else scan.unchainedAfter++;
      data = data.subarray(nl + 1);
    }
    carry = Buffer.from(data);
  }
  scan.partialBytes = carry.length;
  return scan;
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
    const scan = await scanLines(createReadStream(current));
    return {
      link: scan.last,
      fresh: false,
      previousFile: '',
      partial:
        scan.partialBytes > 0 ? { line: scan.lines + 1, bytes: scan.partialBytes } : undefined,
      unchainedLines: scan.last ? scan.unchainedAfter : scan.lines,
    };
  }
  const newest = rotatedFiles(current).at(-1);
  if (!newest) return { link: undefined, fresh: true, previousFile: '', unchainedLines: 0 };
  const stream = createReadStream(newest.path);
  const scan: Scan = { lines: 0, unchainedAfter: 0, partialBytes: 0 };
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
