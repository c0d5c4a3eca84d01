/**
 * `audit verify`: walks each node's files in chain order (the chain continues across rotated and
 * compressed files), names the first problem in each file with its line, checks every checkpoint's
 * signature, and says what it cannot detect. The result is data; audit-verify-report.ts renders it.
 */
import type { KeyObject } from 'node:crypto';
import type { FormatToken } from '../audit-format.js';
import { keyRing } from './audit-verify-checkpoint.js';
import { FileWalk, type Previous, type WalkContext } from './audit-verify-file.js';
import { describeLimits } from './audit-verify-limits.js';
import { ControlReader } from './audit-verify-record.js';
import type { FileVerdict, NodeVerdict, VerifyReport } from './audit-verify-types.js';
import type { AuditFile } from '../trail/audit-files.js';

export { formatVerifyReport } from './audit-verify-report.js';
export type { VerifyReport } from './audit-verify-types.js';

export interface VerifyOptions {
  /** The audit keys whose checkpoints are trusted (current and earlier ones). */
  readonly publicKeys: KeyObject[];
  /** The configured audit format (the record part of each line). */
  readonly format: FormatToken[];
}

function unsigned(last: FileVerdict | undefined): NodeVerdict['unsigned'] {
  if (!last || last.lastSeq === undefined) return undefined;
  const cp = last.lastCheckpoint;
  const count = cp ? last.lastSeq - cp.seq : last.lastSeq - (last.firstSeq ?? last.lastSeq) + 1;
  return { file: last.path, fromLine: cp ? cp.line + 1 : 1, count };
}

function fileOk(v: FileVerdict): boolean {
  return !v.problem && !v.readError;
}

async function verifyNode(files: readonly AuditFile[], ctx: WalkContext): Promise<NodeVerdict> {
  const verdicts: FileVerdict[] = [];
  let previous: Previous | undefined;
  let startsAfterSeq: number | undefined;
  for (const file of files) {
    const walk = new FileWalk(file, previous, ctx);
    verdicts.push(await walk.run());
    startsAfterSeq ??= walk.startsAfterSeq;
    previous = { verdict: walk.verdict, link: walk.link };
  }
  return {
    files: verdicts,
    ok: verdicts.every(fileOk),
    startsAfterSeq,
    unsigned: unsigned(verdicts.at(-1)),
  };
}

/** Verifies each node's files (each list in chain order: rotated files by date and index, the current one last). */
export async function verifyAuditTrail(
  nodes: AuditFile[][],
  options: VerifyOptions,
): Promise<VerifyReport> {
  const control = new ControlReader(options.format);
  const ctx: WalkContext = { control, keys: keyRing(options.publicKeys) };
  const verdicts: NodeVerdict[] = [];
  for (const files of nodes) verdicts.push(await verifyNode(files, ctx));
  const all = verdicts.flatMap((n) => n.files);
  return {
    ok: verdicts.every((n) => n.ok),
    nodes: verdicts,
    files: all.length,
    records: all.reduce((sum, f) => sum + f.records + f.chainedAfter, 0),
    problems: all.filter((f) => !fileOk(f)).length,
    limits: describeLimits(verdicts, control.usable),
  };
}

/** The CLI's exit status: 0 when every file verified, 1 when any problem was found. */
export function verifyExitCode(report: VerifyReport): 0 | 1 {
  return report.ok ? 0 : 1;
}
