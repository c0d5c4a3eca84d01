/**
 * What a break in the chain is, from the line that breaks it and the line after it: each single
 * change an editor can make (edit, delete, insert, swap, cut) leaves its own pattern of seqs and
 * hashes around the spot, so the first problem can be named with its line.
 */
import type { ChainLink, ParsedChainLine } from '../chain/audit-chain.js';
import { chainHash } from '../chain/audit-chain.js';
import type { ControlRecord } from './audit-verify-record.js';
import type { VerifyNote, VerifyProblem } from './audit-verify-types.js';
import type { AuditLine } from '../trail/audit-files.js';

/** A line read, with its chain trailer and control fields when it has them. */
export interface Candidate {
  readonly line: AuditLine;
  readonly parsed?: ParsedChainLine;
  readonly control?: ControlRecord;
}

export interface Outcome {
  readonly problem?: VerifyProblem;
  readonly note?: VerifyNote;
  /** Lines this outcome accounts for: 1, or 2 when the next line was part of it (a swap). */
  readonly consumed: 1 | 2;
  /** The link the next line must chain from; undefined: take the next readable line's own. */
  readonly link?: ChainLink;
}

export interface ClassifyContext {
  /** The line a seq was on, when the file chained up to it. */
  lineOfSeq(seq: number): number | undefined;
  /** The file could not be read to its end (its last line may be cut by that). */
  readonly readError: boolean;
}

export function linkOf(p: ParsedChainLine): ChainLink {
  return { seq: p.seq, hash: p.hash };
}

export function chains(link: ChainLink, p: ParsedChainLine | undefined): p is ParsedChainLine {
  return (
    p !== undefined && p.seq === link.seq + 1 && chainHash(link.hash, p.content).equals(p.hash)
  );
}

/**
 * The incomplete line an interrupted write left, followed by the record that names it: the
 * `start` record after a crash, or the `recover` record after a failed write the IdP could not
 * undo while it ran. Returns that record's act.
 */
function explainedPartial(
  expected: ChainLink,
  cur: Candidate,
  next: Candidate | undefined,
): string | undefined {
  const named = next?.control;
  const explains =
    (named?.act === 'start' || named?.act === 'recover') &&
    named.det.get('partialLine') === String(cur.line.lineNo) &&
    chains(expected, next?.parsed);
  return explains ? named?.act : undefined;
}

function unreadable(
  expected: ChainLink,
  cur: Candidate,
  next: Candidate | undefined,
  nextChains: boolean,
): Outcome {
  const line = cur.line.lineNo;
  if (nextChains || !next) {
    const detail =
      'the line does not end in a seq and hash, and the line after it continues the chain from the line before';
    return {
      consumed: 1,
      link: expected,
      problem: {
        kind: 'inserted',
        line,
        detail: next ? detail : 'the last line does not end in a seq and hash',
      },
    };
  }
  const seq = expected.seq + 1;
  if (next.parsed?.seq === seq + 1) {
    const detail = `the line stands where seq ${seq} belongs but no longer ends in its seq and hash`;
    return { consumed: 1, problem: { kind: 'edited', line, seq, detail } };
  }
  const detail = `the line does not end in a seq and hash, and the line after it does not continue the chain from seq ${expected.seq}`;
  return { consumed: 1, problem: { kind: 'broken', line, detail } };
}

function seqFits(
  expected: ChainLink,
  cur: Candidate,
  p: ParsedChainLine,
  next: Candidate | undefined,
  nextChains: boolean,
): Outcome {
  const line = cur.line.lineNo;
  if (nextChains) {
    const detail = `the line claims seq ${p.seq} but its hash does not chain, and the line after it continues the chain from the line before`;
    return { consumed: 1, link: expected, problem: { kind: 'inserted', line, seq: p.seq, detail } };
  }
  if (!next || chains(linkOf(p), next.parsed)) {
    const detail =
      `seq ${p.seq} is where it belongs, but the line's content no longer matches its hash` +
      (next ? ', and the next line still chains from that hash' : '');
    return { consumed: 1, link: linkOf(p), problem: { kind: 'edited', line, seq: p.seq, detail } };
  }
  const detail = `seq ${p.seq}'s hash does not match its content, and the next line does not chain from it`;
  return { consumed: 1, link: linkOf(p), problem: { kind: 'broken', line, seq: p.seq, detail } };
}

function seqAhead(
  expected: ChainLink,
  cur: Candidate,
  p: ParsedChainLine,
  next: Candidate | undefined,
  nextChains: boolean,
): Outcome {
  const line = cur.line.lineNo;
  const want = expected.seq + 1;
  if (nextChains && p.seq === want + 1 && chains(linkOf(next!.parsed!), p)) {
    const detail = `lines ${line} and ${line + 1} are swapped: seq ${p.seq} comes before seq ${want}`;
    return {
      consumed: 2,
      link: linkOf(p),
      problem: { kind: 'reordered', line, seq: p.seq, detail },
    };
  }
  if (nextChains) {
    const detail = `seq ${p.seq} does not belong here (seq ${want} was expected) and the line after it continues the chain: the line was inserted or moved here`;
    return { consumed: 1, link: expected, problem: { kind: 'inserted', line, seq: p.seq, detail } };
  }
  const missing = { from: want, to: p.seq - 1 };
  const count = missing.to - missing.from + 1;
  const detail = `the seq jumps from ${expected.seq} to ${p.seq}: ${count} record${count === 1 ? '' : 's'} (seq ${missing.from === missing.to ? missing.from : `${missing.from}–${missing.to}`}) missing before this line`;
  return {
    consumed: 1,
    link: linkOf(p),
    problem: { kind: 'deleted', line, seq: p.seq, missing, detail },
  };
}

function seqBehind(
  expected: ChainLink,
  cur: Candidate,
  p: ParsedChainLine,
  ctx: ClassifyContext,
  nextFits: boolean,
): Outcome {
  const line = cur.line.lineNo;
  if (nextFits) {
    const earlier = ctx.lineOfSeq(p.seq);
    const where = earlier === undefined ? '' : ` (line ${earlier})`;
    const detail = `seq ${p.seq} repeats${where} where seq ${expected.seq + 1} was expected: a copy of an earlier record, or a line inserted with a made-up seq`;
    return { consumed: 1, link: expected, problem: { kind: 'inserted', line, seq: p.seq, detail } };
  }
  const detail = `the seq goes back from ${expected.seq} to ${p.seq}, and the next line does not continue the chain`;
  return { consumed: 1, link: linkOf(p), problem: { kind: 'broken', line, seq: p.seq, detail } };
}

/** The line `cur` does not chain from `expected`: say what happened there. */
export function classifyBreak(
  expected: ChainLink,
  cur: Candidate,
  next: Candidate | undefined,
  ctx: ClassifyContext,
): Outcome {
  const line = cur.line.lineNo;
  const namedBy = explainedPartial(expected, cur, next);
  if (namedBy) {
    const text = `an incomplete record left by an interrupted write; the ${namedBy} record on line ${line + 1} says so and the chain resumes there`;
    return { consumed: 1, link: expected, note: { line, text } };
  }
  if (cur.line.partial && !next) {
    if (ctx.readError) return { consumed: 1, link: expected };
    const detail =
      'the file ends in an incomplete line that no start record explains: it was cut, or the IdP stopped while writing and has not started since';
    return { consumed: 1, link: expected, problem: { kind: 'truncated', line, detail } };
  }
  const nextChains = chains(expected, next?.parsed);
  const p = cur.parsed;
  if (!p) return unreadable(expected, cur, next, nextChains);
  if (p.seq === expected.seq + 1) return seqFits(expected, cur, p, next, nextChains);
  if (p.seq > expected.seq + 1) return seqAhead(expected, cur, p, next, nextChains);
  return seqBehind(expected, cur, p, ctx, nextChains || !next);
}
