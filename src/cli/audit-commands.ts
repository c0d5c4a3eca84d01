/**
 * `audit query` and `audit summary`: the nodes' records that pass the filter, merged in time
 * order, printed as they come (query) or counted (summary). A file that cannot be read to its end
 * (a corrupt or truncated gzip, a partial last line) is reported on stderr with where it stopped,
 * a line too long to read with its number; the other files (lines) are still read, and the exit
 * status is 1.
 */
import { compileFilter, type AuditFilter } from '../audit/trail/audit-filter.js';
import { mergeByTime, type MatchedRecord, type ReadProblems } from '../audit/trail/audit-merge.js';
import { nodeRecords } from '../audit/trail/audit-scan.js';
import { AuditSummary } from '../audit/trail/audit-summary.js';
import type { AuditSetup } from './audit-options.js';
import {
  csvRow,
  jsonSafe,
  recordWriter,
  TableWriter,
  type AuditOut,
  type OutputFormat,
} from './audit-output.js';

/** Streams the matching records to `each`, batch by batch; returns the number of problems. */
async function eachRecord(
  setup: AuditSetup,
  filter: AuditFilter,
  out: AuditOut,
  each: (batch: readonly MatchedRecord[]) => void,
): Promise<number> {
  let problems = 0;
  const report: ReadProblems = {
    readError: (e) => {
      problems++;
      if (e.line !== undefined) out.err(`${e.file.path}:${e.line}: ${e.message}`);
      else out.err(`${e.file.path}: unreadable after line ${e.afterLine}: ${e.message}`);
    },
    partialLine: (file, lineNo) => {
      problems++;
      out.err(`${file.path}:${lineNo}: partial line (no line break: a write cut short), skipped`);
    },
  };
  const reading = {
    layout: setup.layout,
    filter: compileFilter(filter, setup.tokens, setup.layout),
    problems: report,
  };
  const sources = setup.nodes.map((n, i) => nodeRecords(i, n.files, reading));
  for await (const batch of mergeByTime(sources)) {
    each(batch);
    await out.flush();
    if (out.closed()) break;
  }
  return problems;
}

export async function queryCommand(
  setup: AuditSetup,
  filter: AuditFilter,
  format: OutputFormat,
  out: AuditOut,
): Promise<number> {
  const writer = recordWriter(format, out, setup.nodes);
  const problems = await eachRecord(setup, filter, out, (b) => writer.records(b));
  writer.end();
  await out.flush(true);
  return problems > 0 ? 1 : 0;
}

export async function summaryCommand(
  setup: AuditSetup,
  filter: AuditFilter,
  format: OutputFormat,
  out: AuditOut,
): Promise<number> {
  const summary = new AuditSummary();
  const problems = await eachRecord(setup, filter, out, (b) => {
    for (const r of b) summary.add(r.entry);
  });
  const rows = summary.rows();
  if (format === 'jsonl') for (const r of rows) out.write(`${jsonSafe(r)}\n`);
  else if (format === 'csv') {
    out.write(csvRow(['group', 'key', 'impersonations', 'refusals']));
    for (const r of rows)
      out.write(csvRow([r.group, r.key, String(r.impersonations), String(r.refusals)]));
  } else summaryTable(rows, out);
  await out.flush(true);
  return problems > 0 ? 1 : 0;
}

const TITLES = { actor: 'actor', target: 'target', rp: 'relying party', day: 'day' } as const;

function summaryTable(rows: ReturnType<AuditSummary['rows']>, out: AuditOut): void {
  for (const group of ['actor', 'target', 'rp', 'day'] as const) {
    const own = rows.filter((r) => r.group === group);
    out.write(`${group === 'actor' ? '' : '\n'}By ${TITLES[group]}:\n`);
    const table = new TableWriter(out, [TITLES[group], 'impersonations', 'refusals']);
    for (const r of own)
      table.row([r.key || '(none)', String(r.impersonations), String(r.refusals)]);
    table.end();
  }
}
