/** `audit verify`'s report of the current file, as the auditors' page shows it. */
import path from 'node:path';
import type { VerifyReport } from '../audit/verify/audit-verify.js';
import type { VerifyStatus } from './audit-review-source.js';

export function verifyStatusOf(report: VerifyReport): VerifyStatus {
  const files = report.nodes.flatMap((n) => n.files);
  const problems = files.flatMap((f) => {
    const file = path.basename(f.path);
    if (f.problem)
      return [{ file, line: f.problem.line, kind: f.problem.kind, message: f.problem.detail }];
    if (f.readError)
      return [
        { file, line: f.readError.afterLine + 1, kind: 'unreadable', message: f.readError.message },
      ];
    return [];
  });
  const unsigned = report.nodes[0]?.unsigned;
  const checkpoints = files.reduce((n, f) => n + f.checkpoints, 0);
  const summary = report.ok
    ? `${report.records} records chain unbroken, ${checkpoints} signed checkpoint${checkpoints === 1 ? '' : 's'} verified` +
      (unsigned && unsigned.count > 0
        ? `; the last ${unsigned.count} record${unsigned.count === 1 ? '' : 's'} (from line ${unsigned.fromLine}) await the next checkpoint`
        : '')
    : `${problems.length} problem${problems.length === 1 ? '' : 's'} found`;
  return { ok: report.ok, summary, problems, cannotDetect: report.limits };
}
