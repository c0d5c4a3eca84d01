/**
 * `audit verify` on real files: chained trails built as the writer lays them out (rotated gzip
 * files, the current file, signed checkpoints), one tampering at a time, each named at its file
 * and line — in the current file, across a rotation boundary and inside a compressed file.
 */
import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatVerifyReport,
  verifyAuditTrail,
  verifyExitCode,
  type VerifyReport,
} from '../../../src/audit/verify/audit-verify.js';
import {
  FORMAT,
  buildTrail,
  copyTrail,
  tamper,
  writeTrail,
  type TrailFile,
} from './audit-trail-builder.js';

const keys = generateKeyPairSync('ed25519');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Three files of 9 lines: open, 3 records, checkpoint (every 4 records, the open one included),
// 3 records, checkpoint (rotation, or shutdown in the current file).
// Seqs: 2024-01-01.log.gz 1–9, 2024-01-02.log.gz 10–18, idp-audit.log 19–27.
const CLEAN = buildTrail(keys, { records: [6, 6, 6] });
const GZ1 = 'idp-audit-2024-01-01.log.gz';
const GZ2 = 'idp-audit-2024-01-02.log.gz';
const CURRENT = 'idp-audit.log';

async function verify(
  files: readonly TrailFile[],
  publicKeys = [keys.publicKey],
): Promise<VerifyReport> {
  const written = writeTrail(files);
  dirs.push(written.dir);
  return verifyAuditTrail([written.files], { publicKeys, format: FORMAT });
}

function tampered(change: (files: Record<string, TrailFile>) => void): TrailFile[] {
  const files = copyTrail(CLEAN);
  change(Object.fromEntries(files.map((f) => [f.name, f])));
  return files;
}

/** Every file's first problem, as "<file>:<line> <kind>". */
function problems(report: VerifyReport): string[] {
  return report.nodes.flatMap((n) =>
    n.files.flatMap((f) =>
      f.problem ? [`${path.basename(f.path)}:${f.problem.line} ${f.problem.kind}`] : [],
    ),
  );
}

function fileOf(report: VerifyReport, name: string) {
  const file = report.nodes[0]!.files.find((f) => path.basename(f.path) === name);
  if (!file) throw new Error(`no verdict for ${name}`);
  return file;
}

const garbage = 'forged|record|without|a|chain';

async function flipBytes(file: string): Promise<void> {
  const bytes = await readFile(file);
  for (let i = 20; i < 40; i++) bytes[i] = bytes[i]! ^ 0xff;
  await writeFile(file, bytes);
}

async function cutFile(file: string): Promise<void> {
  const bytes = await readFile(file);
  await writeFile(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
}

describe('audit verify on a clean trail', () => {
  it('reports every file OK with the line it verified through, and what it cannot detect', async () => {
    const report = await verify(CLEAN);
    expect(report.ok).toBe(true);
    expect(verifyExitCode(report)).toBe(0);
    expect(problems(report)).toEqual([]);
    expect(report.records).toBe(27);
    expect(
      report.nodes[0]!.files.map((f) => [path.basename(f.path), f.goodThrough, f.checkpoints]),
    ).toEqual([
      [GZ1, 9, 2],
      [GZ2, 9, 2],
      [CURRENT, 9, 2],
    ]);
    const text = formatVerifyReport(report);
    expect(text).toContain(`${CURRENT}: OK through line 9 (seq 19–27, 2 checkpoints)`);
    expect(text).toContain('Summary: OK — 3 files, 27 records');
    expect(text).toContain('What verify cannot detect:');
    expect(text).toMatch(
      /removing whole records from the end of the current file, after its last checkpoint/i,
    );
    expect(text).toContain('idp-audit.log, ends in a checkpoint');
    expect(text).toMatch(/holds the audit signing key/);
    expect(text).toContain('The first file given starts the chain (seq 1)');
  });

  it('checks from the first file given on, and says that older records are not checked', async () => {
    const report = await verify(CLEAN.slice(1));
    expect(report.ok).toBe(true);
    expect(report.limits.join('\n')).toContain('The chain is checked from seq 10 on');
  });

  it('names the records no checkpoint covers yet at the end of the current file', async () => {
    const report = await verify(tampered((f) => tamper.truncate(f[CURRENT]!, 8)));
    expect(report.ok).toBe(true);
    expect(report.nodes[0]!.unsigned).toMatchObject({ fromLine: 6, count: 3 });
    expect(formatVerifyReport(report)).toContain(
      'Here 3 records of idp-audit.log, from line 6 on, are covered by no checkpoint yet',
    );
  });
});

describe('audit verify names the tampered line', () => {
  const cases: [string, (f: Record<string, TrailFile>) => void, string][] = [
    // In the current file.
    ['edited value, current file', (f) => tamper.edit(f[CURRENT]!, 4), `${CURRENT}:4 edited`],
    ['deleted line, current file', (f) => tamper.delete(f[CURRENT]!, 4), `${CURRENT}:4 deleted`],
    [
      'inserted line, current file',
      (f) => tamper.insert(f[CURRENT]!, 4, garbage),
      `${CURRENT}:4 inserted`,
    ],
    [
      'inserted copy, current file',
      (f) => tamper.insert(f[CURRENT]!, 5, f[CURRENT]!.lines[1]!),
      `${CURRENT}:5 inserted`,
    ],
    ['swapped lines, current file', (f) => tamper.swap(f[CURRENT]!, 4), `${CURRENT}:4 reordered`],
    [
      'truncated tail, current file',
      (f) => tamper.cutLastLine(f[CURRENT]!),
      `${CURRENT}:9 truncated`,
    ],
    // Across the rotation boundary between the second rotated file and the current one.
    [
      'edited value, last line of a rotated file',
      (f) => tamper.edit(f[GZ2]!, 9),
      `${GZ2}:9 edited`,
    ],
    [
      'deleted open record of the current file',
      (f) => tamper.delete(f[CURRENT]!, 1),
      `${CURRENT}:1 deleted`,
    ],
    [
      'inserted line before the open record',
      (f) => tamper.insert(f[CURRENT]!, 1, garbage),
      `${CURRENT}:1 inserted`,
    ],
    [
      'inserted copy at the end of a rotated file',
      (f) => f[GZ2]!.lines.push(f[GZ2]!.lines[3]!),
      `${GZ2}:10 inserted`,
    ],
    [
      'swapped open record and the line after it',
      (f) => tamper.swap(f[CURRENT]!, 1),
      `${CURRENT}:1 reordered`,
    ],
    [
      'swapped last two lines of a rotated file',
      (f) => tamper.swap(f[GZ2]!, 8),
      `${GZ2}:8 reordered`,
    ],
    ['truncated tail of a rotated file', (f) => tamper.truncate(f[GZ2]!, 7), `${GZ2}:8 truncated`],
    // Inside the first, compressed, file.
    ['edited value in a gzip file', (f) => tamper.edit(f[GZ1]!, 3), `${GZ1}:3 edited`],
    ['deleted line in a gzip file', (f) => tamper.delete(f[GZ1]!, 3), `${GZ1}:3 deleted`],
    [
      'inserted line in a gzip file',
      (f) => tamper.insert(f[GZ1]!, 3, garbage),
      `${GZ1}:3 inserted`,
    ],
    ['swapped lines in a gzip file', (f) => tamper.swap(f[GZ1]!, 3), `${GZ1}:3 reordered`],
    ['truncated tail of a gzip file', (f) => tamper.truncate(f[GZ1]!, 5), `${GZ1}:6 truncated`],
    ['edited open record of the first file', (f) => tamper.edit(f[GZ1]!, 1), `${GZ1}:1 edited`],
    ['deleted open record of the first file', (f) => tamper.delete(f[GZ1]!, 1), `${GZ1}:1 deleted`],
    ['swapped open record of the first file', (f) => tamper.swap(f[GZ1]!, 1), `${GZ1}:1 reordered`],
  ];

  it.each(cases)('%s', async (_name, change, expected) => {
    const report = await verify(tampered(change));
    expect(problems(report)).toEqual([expected]);
    expect(report.ok).toBe(false);
    expect(verifyExitCode(report)).toBe(1);
  });

  it('gives the missing seqs of a deletion and goes on checking after it', async () => {
    const report = await verify(tampered((f) => tamper.delete(f[CURRENT]!, 4)));
    const file = fileOf(report, CURRENT);
    expect(file.problem).toMatchObject({
      kind: 'deleted',
      line: 4,
      seq: 23,
      missing: { from: 22, to: 22 },
    });
    expect(file.goodThrough).toBe(3);
    expect(file.chainedAfter).toBe(4);
    expect(file.breaksAfter).toBe(0);
    const text = formatVerifyReport(report);
    expect(text).toContain(
      `${CURRENT}: line 4: deleted — lines were removed just before this line.`,
    );
    expect(text).toContain('Missing: seq 22.');
    expect(text).toContain(
      '  The seq jumps from 21 to 23: 1 record (seq 22) missing before this line.',
    );
    expect(text).toContain('  Good through line 3; after it, 4 lines still chain.');
    expect(text).toContain(`${GZ2}: OK through line 9`);
    expect(text).toContain('Summary: PROBLEMS in 1 of 3 files');
  });

  it("names the missing seqs of a cut rotated file from the next file's open record", async () => {
    const report = await verify(tampered((f) => tamper.truncate(f[GZ1]!, 5)));
    expect(fileOf(report, GZ1).problem).toMatchObject({
      kind: 'truncated',
      line: 6,
      missing: { from: 6, to: 9 },
    });
    expect(fileOf(report, GZ2).problem).toBeUndefined();
  });

  it('says which earlier line an inserted copy repeats', async () => {
    const report = await verify(
      tampered((f) => tamper.insert(f[CURRENT]!, 5, f[CURRENT]!.lines[1]!)),
    );
    expect(fileOf(report, CURRENT).problem?.detail).toContain('seq 20 repeats (line 2)');
  });

  it("reports a whole file missing between two files at the later file's open record", async () => {
    const report = await verify(CLEAN.filter((f) => f.name !== GZ2));
    expect(problems(report)).toEqual([`${CURRENT}:1 files-missing`]);
    expect(fileOf(report, CURRENT).problem?.missing).toEqual({ from: 10, to: 18 });
  });

  it('reports one problem per file and goes on with the next file', async () => {
    const report = await verify(
      tampered((f) => {
        tamper.edit(f[GZ1]!, 2);
        tamper.delete(f[GZ1]!, 6);
        tamper.swap(f[GZ2]!, 2);
        tamper.insert(f[CURRENT]!, 3, garbage);
      }),
    );
    expect(problems(report)).toEqual([
      `${GZ1}:2 edited`,
      `${GZ2}:2 reordered`,
      `${CURRENT}:3 inserted`,
    ]);
    expect(fileOf(report, GZ1).breaksAfter).toBe(1);
  });
});

describe('audit verify and checkpoints', () => {
  it('reports a checkpoint whose signature does not verify', async () => {
    const other = generateKeyPairSync('ed25519');
    const report = await verify(
      buildTrail(keys, { records: [6, 6, 6], signWith: other.privateKey }),
    );
    expect(problems(report)).toEqual([
      `${GZ1}:5 bad-checkpoint`,
      `${GZ2}:5 bad-checkpoint`,
      `${CURRENT}:5 bad-checkpoint`,
    ]);
    expect(fileOf(report, GZ1).problem?.detail).toContain('signature does not verify');
  });

  it('says when a checkpoint is signed by a key that is not given', async () => {
    const other = generateKeyPairSync('ed25519');
    const report = await verify(CLEAN, [other.publicKey]);
    expect(fileOf(report, GZ1).problem).toMatchObject({ kind: 'unknown-key', line: 5 });
    expect(fileOf(report, GZ1).problem?.detail).toMatch(
      /signed with key id [\w-]{16}, which is none of the public keys given/,
    );
    expect(formatVerifyReport(report)).toContain(
      'unknown-key — a checkpoint is signed with a key that is not among the public keys given',
    );
  });

  it('catches an edit whose chain was recomputed at the next checkpoint', async () => {
    const report = await verify(tampered((f) => tamper.editAndReseal(f[CURRENT]!, 3)));
    expect(problems(report)).toEqual([`${CURRENT}:5 bad-checkpoint`]);
    expect(fileOf(report, CURRENT).problem?.detail).toContain('their chain recomputed');
  });
});

describe('audit verify on damaged files', () => {
  it('reports a gzip file with flipped bytes, with its last good line, and goes on', async () => {
    const { dir, files } = writeTrail(CLEAN);
    dirs.push(dir);
    await flipBytes(files[1]!.path);
    const report = await verifyAuditTrail([files], {
      publicKeys: [keys.publicKey],
      format: FORMAT,
    });
    const broken = fileOf(report, GZ2);
    expect(broken.readError).toBeDefined();
    expect(broken.readError!.afterLine).toBeLessThanOrEqual(9);
    expect(fileOf(report, CURRENT).problem).toBeUndefined();
    expect(fileOf(report, CURRENT).goodThrough).toBe(9);
    expect(report.ok).toBe(false);
    const text = formatVerifyReport(report);
    expect(text).toContain(
      `${GZ2}: corrupt or cut compressed file after line ${broken.readError!.afterLine}`,
    );
    expect(text).toContain('going on with the next file');
    expect(text).toContain(`${CURRENT}: OK through line 9`);
  });

  it('reports a cut gzip file and goes on with the next file', async () => {
    const { dir, files } = writeTrail(CLEAN);
    dirs.push(dir);
    await cutFile(files[0]!.path);
    const report = await verifyAuditTrail([files], {
      publicKeys: [keys.publicKey],
      format: FORMAT,
    });
    expect(fileOf(report, GZ1).readError?.message).toBeTruthy();
    expect(fileOf(report, GZ2).problem).toBeUndefined();
    expect(fileOf(report, GZ2).notes[0]?.text).toContain('could not be read');
    expect(fileOf(report, CURRENT).problem).toBeUndefined();
  });

  it('takes a partial line named by the next start record as a note, not a problem', async () => {
    const report = await verify(
      buildTrail(keys, { records: [6, 6], crash: { file: 1, afterRecord: 3 } }),
    );
    expect(report.ok).toBe(true);
    const current = fileOf(report, CURRENT);
    expect(current.notes.map((n) => n.line)).toEqual([6]);
    expect(current.notes[0]!.text).toContain('the start record on line 7');
    expect(formatVerifyReport(report)).toContain(
      'note, line 6: an incomplete record left by an interrupted write',
    );
  });

  it('reads an interrupted compression (the .gz complete, the plain file not yet deleted) once: OK', async () => {
    const plain = { ...CLEAN[0]!, name: GZ1.replace(/\.gz$/, ''), compressed: false };
    const report = await verify([plain, ...CLEAN]);
    expect(report.ok).toBe(true);
    expect(report.nodes[0]!.files.map((f) => path.basename(f.path))).toEqual([GZ1, GZ2, CURRENT]);
  });

  it('names a line longer than 1 MiB in a note where the chain breaks, and goes on', async () => {
    const long = `${CLEAN[2]!.lines[3]}${'x'.repeat(2 << 20)}`;
    const report = await verify(tampered((f) => (f[CURRENT]!.lines[3] = long)));
    expect(problems(report)).toEqual([`${CURRENT}:5 deleted`]);
    const current = fileOf(report, CURRENT);
    expect(current.readError).toBeUndefined();
    expect(current.notes).toEqual([
      { line: 4, text: `a line longer than 1 MiB (${long.length} bytes), skipped` },
    ]);
    expect(formatVerifyReport(report)).toContain('note, line 4: a line longer than 1 MiB');
  });

  it('reports an incomplete line whose start record was removed where the lost record belongs', async () => {
    const trail = buildTrail(keys, { records: [6, 6], crash: { file: 1, afterRecord: 3 } });
    tamper.delete(trail[1]!, 7);
    const report = await verify(trail);
    expect(problems(report)).toEqual([`${CURRENT}:6 edited`]);
  });
});

describe('audit verify over several nodes', () => {
  it('verifies each node on its own', async () => {
    const a = writeTrail(CLEAN);
    const b = writeTrail(tampered((f) => tamper.edit(f[CURRENT]!, 2)));
    dirs.push(a.dir, b.dir);
    const report = await verifyAuditTrail([a.files, b.files], {
      publicKeys: [keys.publicKey],
      format: FORMAT,
    });
    expect(report.nodes.map((n) => n.ok)).toEqual([true, false]);
    const text = formatVerifyReport(report);
    expect(text).toContain('Node 1:');
    expect(text).toContain('Node 2:');
    expect(text).toContain(`${path.join(b.dir, CURRENT)}: line 2: edited`);
  });
});
