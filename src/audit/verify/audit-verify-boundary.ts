/**
 * The seam between two files: every file begins with an `open` record that names the previous
 * file and the seq and hash its chain ended with. When the open record is intact (it chains from
 * what it says) but the previous file given ends elsewhere, the files say which of them is short.
 */
import path from 'node:path';
import { GENESIS_HASH, type ChainLink } from '../chain/audit-chain.js';
import { chains, type Candidate } from './audit-verify-classify.js';
import type { FileVerdict, VerifyProblem } from './audit-verify-types.js';

export interface OpenRecord {
  readonly prevSeq: number;
  readonly prev: string;
  readonly previousFile: string;
  /** What the open record itself chains from, per its own details. */
  readonly anchor: ChainLink;
}

export function openRecordOf(c: Candidate): OpenRecord | undefined {
  if (c.control?.act !== 'open' || !c.parsed) return undefined;
  const det = c.control.det;
  const prev = det.get('prev') ?? '';
  const prevSeq = Number(det.get('prevSeq') ?? NaN);
  const hash = prev === 'GENESIS' ? GENESIS_HASH : Buffer.from(prev, 'base64url');
  return {
    prevSeq,
    prev,
    previousFile: det.get('previousFile') ?? '',
    anchor: { seq: Number.isSafeInteger(prevSeq) ? prevSeq : c.parsed.seq - 1, hash },
  };
}

/** The open record chains from what it says it follows. */
export function selfChains(c: Candidate, open: OpenRecord): boolean {
  return chains(open.anchor, c.parsed);
}

/** A file compressed after its open record named it is still the same file. */
function sameFile(named: string, file: string): boolean {
  const strip = (name: string) => path.basename(name).replace(/\.gz$/, '');
  return named !== '' && strip(named) === strip(file);
}

function put(verdict: FileVerdict, problem: VerifyProblem): void {
  if (!verdict.problem) verdict.problem = problem;
  else verdict.notes.push({ line: problem.line, text: `also: ${problem.detail}` });
}

/**
 * The intact open record `open` (line 1 of `here`) does not chain from where the previous file
 * ended (`last`): record on the right file what is missing.
 */
export function boundaryBreak(
  open: OpenRecord,
  previous: FileVerdict,
  last: ChainLink,
  here: FileVerdict,
): void {
  const lastHash = last.hash.toString('base64url');
  const said = `the open record on line 1 says the previous file (${open.previousFile || 'none'}) ended at seq ${open.prevSeq}`;
  const prevName = path.basename(previous.path);
  const missing = { from: last.seq + 1, to: open.prevSeq };
  if (previous.readError) {
    here.notes.push({
      line: 1,
      text: `${said}; records after seq ${last.seq} were in the part of ${prevName} that could not be read`,
    });
  } else if (open.prevSeq > last.seq && sameFile(open.previousFile, previous.path)) {
    put(previous, {
      kind: 'truncated',
      line: previous.lines + 1,
      missing,
      detail: `the file ends after line ${previous.lines} (seq ${last.seq}), but the next file's open record says it ended at seq ${open.prevSeq}`,
    });
  } else if (open.prevSeq > last.seq) {
    put(here, {
      kind: 'files-missing',
      line: 1,
      missing,
      detail: `${said}, but the file given before it, ${prevName}, ends at seq ${last.seq}: files are missing between them`,
    });
  } else {
    put(here, {
      kind: 'boundary',
      line: 1,
      detail: `${said} with hash ${open.prev}, but ${prevName} ends at seq ${last.seq} with hash ${lastHash}`,
    });
  }
}
