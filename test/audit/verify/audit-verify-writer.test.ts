/**
 * The writer and `audit verify` agree: a trail written by the real chain writer — records, start,
 * checkpoints, a day rotation into a gzip file, a shutdown — verifies; tampered, each change is
 * named at its file and line, inside the gzip file and across the rotation boundary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseAuditFormat } from '../../../src/audit/audit-format.js';
import { verifyAuditTrail } from '../../../src/audit/verify/audit-verify.js';
import { nodeFiles } from '../../../src/audit/trail/audit-files.js';
import {
  clock,
  linesOf,
  openChain,
  record,
  tempAuditFile,
  testKey,
} from '../chain/chain-support.js';

const FORMAT = parseAuditFormat(
  '%a|%ST|%T|%u|%SP|%i|%ac|%t|%attr|%n|%f|%SSO|%XX|%XA|%b|%bb|%e|%S|%SS|%s|%UA|%uu|%ut|%utc|%P|%tx|%act|%det',
);
const key = testKey();

/** Two days of records (rotated into <stem>-2031-03-04.log.gz at midnight), then a shutdown. */
async function writtenTrail(): Promise<{ file: string; rotated: string }> {
  const file = tempAuditFile();
  const c = clock('2031-03-04T22:00:00Z');
  const sink = await openChain(file, key, { now: c.now, checkpointRecords: 4 });
  for (let i = 0; i < 10; i++) await sink.write(record(`day1-${i}`));
  c.set('2031-03-05T00:00:05Z');
  for (let i = 0; i < 10; i++) await sink.write(record(`day2-${i}`));
  await sink.close();
  return { file, rotated: path.join(path.dirname(file), 'idp-audit-2031-03-04.log.gz') };
}

function verify(file: string) {
  return verifyAuditTrail([nodeFiles(file)], { publicKeys: [key.publicKey], format: FORMAT });
}

function firstProblem(report: Awaited<ReturnType<typeof verify>>) {
  const file = report.nodes[0]!.files.find((f) => f.problem);
  return (
    file && { file: path.basename(file.path), line: file.problem!.line, kind: file.problem!.kind }
  );
}

function rewriteGz(gz: string, change: (lines: string[]) => string[]): void {
  const lines = gunzipSync(readFileSync(gz)).toString('utf8').split('\n').slice(0, -1);
  writeFileSync(gz, gzipSync(`${change(lines).join('\n')}\n`));
}

function rewrite(file: string, change: (lines: string[]) => string[]): void {
  writeFileSync(file, `${change(linesOf(file)).join('\n')}\n`);
}

describe('audit verify on a trail from the real writer', () => {
  it('verifies the whole trail: both files, every checkpoint', async () => {
    const { file, rotated } = await writtenTrail();
    const report = await verify(file);
    expect(report.ok, JSON.stringify(report.nodes)).toBe(true);
    expect(report.nodes[0]!.files.map((f) => path.basename(f.path))).toEqual([
      path.basename(rotated),
      'idp-audit.log',
    ]);
    expect(report.problems).toBe(0);
  });

  it('names an edited value inside the gzip file', async () => {
    const { file, rotated } = await writtenTrail();
    let edited = 0;
    rewriteGz(rotated, (lines) => {
      edited = lines.findIndex((l) => l.includes('|day1-3|')) + 1;
      return lines.map((l) => l.replace('|day1-3|', '|day1-X|'));
    });
    expect(firstProblem(await verify(file))).toEqual({
      file: path.basename(rotated),
      line: edited,
      kind: 'edited',
    });
    expect(edited).toBeGreaterThan(2);
  });

  it('names a truncated tail of the rotated file, across the rotation boundary', async () => {
    const { file, rotated } = await writtenTrail();
    const before = gunzipSync(readFileSync(rotated)).toString('utf8').split('\n').length - 1;
    rewriteGz(rotated, (lines) => lines.slice(0, -2));
    expect(firstProblem(await verify(file))).toEqual({
      file: path.basename(rotated),
      line: before - 1,
      kind: 'truncated',
    });
  });

  it('names a deleted and swapped lines in the current file', async () => {
    const deleted = await writtenTrail();
    rewrite(deleted.file, (lines) => lines.filter((_, i) => i !== 5));
    expect(firstProblem(await verify(deleted.file))).toMatchObject({ line: 6, kind: 'deleted' });
    const swapped = await writtenTrail();
    rewrite(swapped.file, (lines) => [
      ...lines.slice(0, 3),
      lines[4]!,
      lines[3]!,
      ...lines.slice(5),
    ]);
    expect(firstProblem(await verify(swapped.file))).toMatchObject({ line: 4, kind: 'reordered' });
  });
});
