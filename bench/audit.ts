/**
 * npm run bench:audit — how fast `audit query` and `audit summary` read a node's trail: 1,000,000
 * records (the default format with the chain trailer, bench/audit-generator.ts) in nine rotated
 * days of gzip files (one day rotated twice by size) and the current file, in a temporary folder.
 * Writing them is not timed. Each command runs in this process through runAuditCli, its output
 * going to a sink that only counts bytes (as > /dev/null would). Two figures: the trail's
 * records per second of wall time, and per second of CPU time used by the process (its threads:
 * gunzip runs on the thread pool) — the one to compare when the machine is shared. The --since
 * line counts the whole trail too: it shows what skipping the older rotated files brings.
 * Target: ≥ 200,000 records/s (issue 9).
 *
 *   npm run bench:audit [-- --records 1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAuditCli } from '../src/cli/audit.js';
import type { AuditOut } from '../src/cli/audit-output.js';
import { DEFAULT_CONF_DIR } from '../src/core/paths.js';
import { auditGenerator, writeRecords } from './audit-generator.js';

const { values: args } = parseArgs({
  options: { records: { type: 'string', default: '1000000' } },
});
const total = Number(args.records);
const DAY = 86_400_000;
const START = Date.UTC(2024, 4, 1);

async function generate(dir: string): Promise<void> {
  const gen = auditGenerator();
  const perFile = Math.floor(total / 10);
  const files = [
    ...Array.from({ length: 9 }, (_, d) => `idp-audit-2024-05-0${d + 1}.log.gz`),
    'idp-audit.log',
  ];
  files.splice(5, 0, 'idp-audit-2024-05-05.1.log.gz'); // a size rotation on 5 May
  const counts = files.map((_, i) => (i === 4 || i === 5 ? perFile / 2 : perFile));
  counts[counts.length - 1] = total - counts.slice(0, -1).reduce((a, b) => a + b, 0);
  let written = 0;
  for (const [i, name] of files.entries()) {
    const day = Math.min(written / perFile, 9);
    const stepMs = DAY / perFile;
    await writeRecords(gen, path.join(dir, name), counts[i]!, {
      startMs: START + day * DAY,
      stepMs,
    });
    written += counts[i]!;
  }
}

function countingOut(): AuditOut & { bytes: number } {
  const out = {
    bytes: 0,
    write: (text: string) => void (out.bytes += text.length),
    flush: () => Promise.resolve(),
    err: (line: string) => console.error(line),
    closed: () => false,
  };
  return out;
}

async function measure(label: string, argv: string[], records = total): Promise<void> {
  const out = countingOut();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const code = await runAuditCli([...argv, '--conf', DEFAULT_CONF_DIR], { out, env: {} });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (code !== 0) throw new Error(`${label}: exit status ${code}`);
  const rate = (s: number) =>
    Math.round(records / s)
      .toLocaleString('en')
      .padStart(9);
  console.log(
    `${label.padEnd(56)} ${seconds.toFixed(2).padStart(6)} s ${rate(seconds)} records/s   cpu ${cpuSeconds.toFixed(2).padStart(6)} s ${rate(cpuSeconds)} records/cpu-s  ${(out.bytes / 1e6).toFixed(1).padStart(6)} MB out`,
  );
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-audit-'));
try {
  const t0 = performance.now();
  await generate(dir);
  console.log(
    `audit query / summary over ${total.toLocaleString('en')} records (10 rotated .log.gz + current .log), generated in ${((performance.now() - t0) / 1000).toFixed(1)} s (not counted)`,
  );
  console.log(
    `${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('');
  await measure('query, selective (--actor user42 --impersonation-only)', [
    'query',
    dir,
    '--actor',
    'user42',
    '--impersonation-only',
  ]);
  await measure('query --refusals-only (table)', ['query', dir, '--refusals-only']);
  await measure('query --refusals-only --since 2024-05-08 (7 files skipped)', [
    'query',
    dir,
    '--refusals-only',
    '--since',
    '2024-05-08',
  ]);
  await measure('query, no filter, --format jsonl (every field decoded)', [
    'query',
    dir,
    '--format',
    'jsonl',
  ]);
  await measure('query, no filter, table', ['query', dir]);
  await measure('summary, no filter', ['summary', dir]);
  // The same folder given twice: two nodes of a million records each, merged by time.
  await measure(
    'query --refusals-only, 2 nodes merged (2x records)',
    ['query', dir, dir, '--refusals-only'],
    2 * total,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
