/**
 * What `audit verify` finds, as data: the CLI renders it as text (audit-verify-report.ts) and the
 * auditors' page shows it.
 */

/** What the first problem in a file looks like (docs/auditing.md, "Tamper evidence"). */
export type ProblemKind =
  /** The line's seq fits but its content no longer matches its hash. */
  | 'edited'
  /** The seq jumps: records are missing before this line. */
  | 'deleted'
  /** A line that does not belong: unreadable, or a seq that repeats or does not fit. */
  | 'inserted'
  /** Two lines in the wrong order. */
  | 'reordered'
  /** The file ends early: cut in a line, or before the next file's open record says it did. */
  | 'truncated'
  /** Whole files are missing between this file and the one before it. */
  | 'files-missing'
  /** The open record and the previous file disagree about where the chain was. */
  | 'boundary'
  /** A checkpoint whose signature does not verify or that does not match the record before it. */
  | 'bad-checkpoint'
  /** A checkpoint signed by a key that is none of the public keys given. */
  | 'unknown-key'
  /** A break in the chain that fits none of the above. */
  | 'broken';

export interface SeqRange {
  /** Undefined: not known how far back the missing records go. */
  readonly from?: number;
  readonly to: number;
}

export interface VerifyProblem {
  readonly kind: ProblemKind;
  /** The line the problem is at (for a cut tail: the first line that is missing). */
  readonly line: number;
  readonly seq?: number;
  readonly missing?: SeqRange;
  /** This case in a sentence: what was found. */
  readonly detail: string;
}

export interface VerifyNote {
  readonly line: number;
  readonly text: string;
}

export interface FileVerdict {
  readonly path: string;
  readonly compressed: boolean;
  readonly current: boolean;
  lines: number;
  /** Records that chained (and checkpoints that verified) before the first problem. */
  records: number;
  firstSeq?: number;
  lastSeq?: number;
  /** The last line verified before the first problem (or the read error). */
  goodThrough: number;
  problem?: VerifyProblem;
  /** A compressed file that could not be read to its end. */
  readError?: { readonly afterLine: number; readonly message: string };
  /** After the first problem: lines that still chain among themselves, and further breaks. */
  chainedAfter: number;
  breaksAfter: number;
  checkpoints: number;
  lastCheckpoint?: { readonly line: number; readonly seq: number };
  notes: VerifyNote[];
}

export interface NodeVerdict {
  readonly files: FileVerdict[];
  readonly ok: boolean;
  /** Seq of the record before the first file given (0: the chain is checked from its start). */
  readonly startsAfterSeq?: number;
  /** Records after the last checkpoint of the last file: no signature covers them. */
  readonly unsigned?: { readonly file: string; readonly fromLine: number; readonly count: number };
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly nodes: NodeVerdict[];
  readonly files: number;
  readonly records: number;
  readonly problems: number;
  /** What verify cannot detect, in plain sentences, with this trail's numbers. */
  readonly limits: string[];
}
