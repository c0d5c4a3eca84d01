/** `audit verify`'s report as plain text for the CLI: per file, then a summary, then the limits. */
import type { FileVerdict, ProblemKind, SeqRange, VerifyReport } from './audit-verify-types.js';

/** What each kind of problem means, for someone who did not write the tool. */
const MEANING: Record<ProblemKind, string> = {
  edited: "the line's content was changed after it was written",
  deleted: 'lines were removed just before this line',
  inserted: 'this line was added after the fact: it is not part of the chain',
  reordered: 'this line and the next were swapped',
  truncated: 'the file was cut short: its last records are missing',
  'files-missing': 'whole audit files are missing between this file and the one given before it',
  boundary: "this file's open record does not match the end of the file given before it",
  'bad-checkpoint': 'a signed checkpoint does not match the chain, or its signature is wrong',
  'unknown-key': 'a checkpoint is signed with a key that is not among the public keys given',
  broken: 'the chain breaks here in a way that fits no single edit, deletion, insertion or swap',
};

function range(r: SeqRange): string {
  if (r.from === undefined) return `up to seq ${r.to}`;
  return r.from === r.to ? `seq ${r.to}` : `seq ${r.from}–${r.to}`;
}

function okLine(f: FileVerdict): string {
  if (f.lines === 0) return `${f.path}: OK (empty)`;
  const seqs = f.firstSeq === undefined ? '' : ` (seq ${f.firstSeq}–${f.lastSeq}`;
  const cps = `${f.checkpoints} checkpoint${f.checkpoints === 1 ? '' : 's'}`;
  return `${f.path}: OK through line ${f.goodThrough}${seqs ? `${seqs}, ${cps})` : ''}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function problemLines(f: FileVerdict): string[] {
  const out: string[] = [];
  const p = f.problem;
  if (p) {
    const missing = p.missing ? ` Missing: ${range(p.missing)}.` : '';
    out.push(`${f.path}: line ${p.line}: ${p.kind} — ${MEANING[p.kind]}.`);
    out.push(`  ${sentence(p.detail)}${missing}`);
    const more = f.breaksAfter > 0 ? `, with ${plural(f.breaksAfter, 'more break')}` : '';
    const after =
      f.lines > p.line ? `; after it, ${plural(f.chainedAfter, 'line')} still chain${more}` : '';
    out.push(`  Good through line ${f.goodThrough}${after}.`);
  }
  if (f.readError) {
    const e = f.readError;
    out.push(
      `${f.path}: corrupt or cut compressed file after line ${e.afterLine} (${e.message}): ` +
        'the rest of it could not be read; going on with the next file.',
    );
  }
  return out;
}

function fileLines(f: FileVerdict): string[] {
  const out = f.problem || f.readError ? problemLines(f) : [okLine(f)];
  for (const n of f.notes) out.push(`  note, line ${n.line}: ${n.text}.`);
  return out;
}

function summary(report: VerifyReport): string {
  const files = `${report.files} file${report.files === 1 ? '' : 's'}`;
  if (report.ok) return `Summary: OK — ${files}, ${report.records} records, no problems found.`;
  return `Summary: PROBLEMS in ${report.problems} of ${files} (${report.records} records chained).`;
}

export function formatVerifyReport(report: VerifyReport): string {
  const out: string[] = [];
  report.nodes.forEach((node, i) => {
    if (report.nodes.length > 1) out.push(`Node ${i + 1}:`);
    for (const f of node.files) out.push(...fileLines(f));
  });
  out.push(summary(report), '', 'What verify cannot detect:');
  for (const limit of report.limits) out.push(`  - ${limit}`);
  return `${out.join('\n')}\n`;
}
