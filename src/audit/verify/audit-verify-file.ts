/**
 * One file's walk along the chain: every line must chain from the one before (from the previous
 * file's last record for line 1); the first line that does not is classified, and the walk then
 * takes up the chain again after it to count what still chains and to reach the file's end.
 */
import { parseChainLine, type ChainLink } from '../chain/audit-chain.js';
import { boundaryBreak, openRecordOf, selfChains } from './audit-verify-boundary.js';
import { checkCheckpoint, type KeyRing } from './audit-verify-checkpoint.js';
import { chains, classifyBreak, linkOf, type Candidate } from './audit-verify-classify.js';
import type { ControlReader } from './audit-verify-record.js';
import type { FileVerdict, VerifyProblem } from './audit-verify-types.js';
import {
  readAuditLines,
  type AuditFile,
  type AuditLine,
  type AuditReadError,
} from '../trail/audit-files.js';

export interface WalkContext {
  readonly control: ControlReader;
  readonly keys: KeyRing;
}

/** Where the previous file of the node left the chain. */
export interface Previous {
  readonly verdict: FileVerdict;
  readonly link?: ChainLink;
}

class Lines {
  private peeked: Candidate | null | undefined;
  private readonly it: AsyncIterator<AuditLine>;

  constructor(
    lines: AsyncIterable<AuditLine>,
    private readonly control: ControlReader,
  ) {
    this.it = lines[Symbol.asyncIterator]();
  }

  async next(): Promise<Candidate | undefined> {
    const c = await this.peek();
    this.peeked = undefined;
    return c;
  }

  async peek(): Promise<Candidate | undefined> {
    if (this.peeked === undefined) {
      const r = await this.it.next();
      this.peeked = r.done ? null : this.candidate(r.value);
    }
    return this.peeked ?? undefined;
  }

  private candidate(line: AuditLine): Candidate {
    const parsed = parseChainLine(line.text);
    const control = parsed && this.control.read(parsed.record);
    return { line, parsed, control };
  }
}

export class FileWalk {
  readonly verdict: FileVerdict;
  link?: ChainLink;
  /** Seq of the record before the file's first, when this file starts the node's walk. */
  startsAfterSeq?: number;
  private started: boolean;
  private base?: { seq: number; line: number };
  private readonly lines: Lines;

  constructor(
    file: AuditFile,
    private readonly previous: Previous | undefined,
    private readonly ctx: WalkContext,
  ) {
    this.verdict = {
      path: file.path,
      compressed: file.compressed,
      current: file.current,
      lines: 0,
      records: 0,
      goodThrough: 0,
      chainedAfter: 0,
      breaksAfter: 0,
      checkpoints: 0,
      notes: [],
    };
    this.link = previous?.link;
    this.started = this.link !== undefined;
    const onError = (e: AuditReadError) => {
      // A line too long to read: the chain breaks there and says so; the note says why.
      if (e.line !== undefined) this.verdict.notes.push({ line: e.line, text: e.message });
      else this.verdict.readError = { afterLine: e.afterLine, message: e.message };
    };
    this.lines = new Lines(readAuditLines(file, onError), ctx.control);
  }

  async run(): Promise<FileVerdict> {
    for (let c = await this.lines.next(); c; c = await this.lines.next()) {
      this.verdict.lines = c.line.lineNo;
      if (!this.started) await this.start(c);
      else if (!this.link) this.resync(c);
      else await this.step(c, this.link);
    }
    return this.verdict;
  }

  private async step(c: Candidate, link: ChainLink): Promise<void> {
    if (chains(link, c.parsed)) return this.accept(c, link);
    const open = c.line.lineNo === 1 && this.previous ? openRecordOf(c) : undefined;
    if (open && selfChains(c, open)) {
      boundaryBreak(open, this.previous!.verdict, link, this.verdict);
      return this.accept(c, open.anchor);
    }
    const next = await this.lines.peek();
    const readError = this.verdict.readError !== undefined;
    const outcome = classifyBreak(link, c, next, {
      readError,
      lineOfSeq: (seq) => this.lineOfSeq(seq),
    });
    if (outcome.note) this.verdict.notes.push(outcome.note);
    if (outcome.problem) this.report(outcome.problem);
    if (outcome.consumed === 2) {
      await this.lines.next();
      this.verdict.lines += 1;
    }
    this.link = outcome.link;
  }

  /** The first line of the node's first file: nothing before it is given. */
  private async start(c: Candidate): Promise<void> {
    const open = openRecordOf(c);
    if (open) {
      this.started = true;
      this.startsAfterSeq = open.anchor.seq;
      return this.step(c, open.anchor);
    }
    const line = c.line.lineNo;
    const next = await this.lines.peek();
    if (!c.parsed) {
      const detail =
        'the line does not end in a seq and hash' +
        (next && openRecordOf(next) ? ', and the open record follows it' : '');
      return this.report({
        kind: next && openRecordOf(next) ? 'inserted' : 'broken',
        line,
        detail,
      });
    }
    this.started = true;
    const nextOpen = next && openRecordOf(next);
    if (next && nextOpen && selfChains(next, nextOpen) && chains(linkOf(next.parsed!), c.parsed)) {
      this.startsAfterSeq = nextOpen.anchor.seq;
      await this.lines.next();
      this.verdict.lines += 1;
      this.link = linkOf(c.parsed);
      const detail = `the file's open record (seq ${next.parsed!.seq}) comes after seq ${c.parsed.seq}: lines ${line} and ${line + 1} are swapped`;
      return this.report({ kind: 'reordered', line, seq: c.parsed.seq, detail });
    }
    this.startsAfterSeq = c.parsed.seq - 1;
    this.link = linkOf(c.parsed);
    const detail = `line ${line} is seq ${c.parsed.seq}, not the file's open record: the first line(s) of the file were removed, or its open record was altered`;
    this.report({
      kind: 'deleted',
      line,
      seq: c.parsed.seq,
      missing: { to: c.parsed.seq - 1 },
      detail,
    });
  }

  /** After a break that left no link: take up the chain at the next readable line. */
  private resync(c: Candidate): void {
    if (c.parsed) this.link = linkOf(c.parsed);
    else this.verdict.breaksAfter += 1;
  }

  private accept(c: Candidate, before: ChainLink): void {
    const p = c.parsed!;
    const v = this.verdict;
    this.link = linkOf(p);
    v.lastSeq = p.seq;
    if (c.control?.act === 'checkpoint')
      this.checkpoint(c.control.det, before, c.line.lineNo, p.seq);
    if (v.problem) v.chainedAfter += 1;
    else {
      v.records += 1;
      v.goodThrough = c.line.lineNo;
      v.firstSeq ??= p.seq;
      this.base ??= { seq: p.seq, line: c.line.lineNo };
    }
  }

  private checkpoint(
    det: ReadonlyMap<string, string>,
    before: ChainLink,
    line: number,
    seq: number,
  ): void {
    const finding = checkCheckpoint(det, before, this.ctx.keys);
    if (finding) return this.report({ ...finding, line, seq });
    this.verdict.checkpoints += 1;
    this.verdict.lastCheckpoint = { line, seq };
  }

  private report(problem: VerifyProblem): void {
    if (this.verdict.problem) this.verdict.breaksAfter += 1;
    else this.verdict.problem = problem;
  }

  private lineOfSeq(seq: number): number | undefined {
    if (!this.base || this.verdict.problem || seq < this.base.seq) return undefined;
    return this.base.line + (seq - this.base.seq);
  }
}
