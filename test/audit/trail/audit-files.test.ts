/**
 * A node's audit files: found from a folder, a current file or a rotated file, in chain order
 * (date, then size index, the current file last; .log and .log.gz alike), and read back line by
 * line, compressed or not, with a corrupt or truncated gzip reported and the next file still read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  auditFilesIn,
  nodeFiles,
  readAuditLines,
  type AuditFile,
  type AuditReadError,
} from '../../../src/audit/trail/audit-files.js';
import { tempDir, writeLines } from './audit-trail.js';

async function readAll(files: readonly AuditFile[]) {
  const errors: AuditReadError[] = [];
  const lines: { file: string; lineNo: number; text: string; partial: boolean }[] = [];
  for (const file of files)
    for await (const l of readAuditLines(file, (e) => errors.push(e)))
      lines.push({
        file: path.basename(l.file.path),
        lineNo: l.lineNo,
        text: l.text,
        partial: l.partial,
      });
  return { lines, errors };
}

describe('nodeFiles', () => {
  const dir = tempDir();
  for (const name of [
    'idp-audit.log',
    'idp-audit-2024-05-02.log.gz',
    'idp-audit-2024-05-01.1.log.gz',
    'idp-audit-2024-05-01.log.gz',
    'idp-audit-2024-05-01.2.log', // compression off or interrupted
    'idp-audit-2024-04-30.10.log.gz',
    'idp-audit-2024-04-30.9.log.gz',
    'idp-process.log', // the process log shares the folder
    'idp-process-2024-05-01.log.gz',
    'other-audit-2024-05-01.log.gz',
  ])
    writeFileSync(path.join(dir, name), '');

  it('lists a folder by date, then index, the current file last, and nothing else', () => {
    const files = nodeFiles(dir);
    expect(files.map((f) => path.basename(f.path))).toEqual([
      'idp-audit-2024-04-30.9.log.gz',
      'idp-audit-2024-04-30.10.log.gz',
      'idp-audit-2024-05-01.log.gz',
      'idp-audit-2024-05-01.1.log.gz',
      'idp-audit-2024-05-01.2.log',
      'idp-audit-2024-05-02.log.gz',
      'idp-audit.log',
    ]);
    expect(files[2]).toEqual({
      path: path.join(dir, 'idp-audit-2024-05-01.log.gz'),
      date: '2024-05-01',
      index: 0,
      compressed: true,
      current: false,
    });
    expect(files[4]).toMatchObject({ index: 2, compressed: false, current: false });
    expect(files.at(-1)).toEqual({
      path: path.join(dir, 'idp-audit.log'),
      index: 0,
      compressed: false,
      current: true,
    });
  });

  it('takes the current file with its rotated siblings, a rotated file alone, another stem on request', () => {
    expect(nodeFiles(path.join(dir, 'idp-audit.log'))).toEqual(nodeFiles(dir));
    expect(nodeFiles(path.join(dir, 'idp-audit-2024-05-01.1.log.gz'))).toEqual([
      {
        path: path.join(dir, 'idp-audit-2024-05-01.1.log.gz'),
        date: '2024-05-01',
        index: 1,
        compressed: true,
        current: false,
      },
    ]);
    expect(nodeFiles(dir, 'other-audit').map((f) => path.basename(f.path))).toEqual([
      'other-audit-2024-05-01.log.gz',
    ]);
  });

  it('leaves out the plain file of an interrupted compression, whose .gz is complete; the writer sees both', () => {
    const both = tempDir();
    for (const name of [
      'idp-audit-2024-05-01.log',
      'idp-audit-2024-05-01.log.gz',
      'idp-audit-2024-05-01.1.log', // compression off: no .gz beside it
      'idp-audit.log',
    ])
      writeFileSync(path.join(both, name), '');
    const names = (files: readonly AuditFile[]) => files.map((f) => path.basename(f.path));
    const read = ['idp-audit-2024-05-01.log.gz', 'idp-audit-2024-05-01.1.log', 'idp-audit.log'];
    expect(names(nodeFiles(both))).toEqual(read);
    expect(names(nodeFiles(path.join(both, 'idp-audit.log')))).toEqual(read);
    expect(names(auditFilesIn(both, 'idp-audit'))).toEqual([
      'idp-audit-2024-05-01.log',
      'idp-audit-2024-05-01.log.gz',
      'idp-audit-2024-05-01.1.log',
      'idp-audit.log',
    ]);
  });
});

describe('readAuditLines', () => {
  it('reads .log and .log.gz alike, numbering lines, and flags a last line without a line break', async () => {
    const dir = tempDir();
    writeLines(dir, 'idp-audit-2024-05-01.log.gz', ['a1', 'a2']);
    writeFileSync(path.join(dir, 'idp-audit.log'), 'b1\nb2\nb3-cut');
    const { lines, errors } = await readAll(nodeFiles(dir));
    expect(errors).toEqual([]);
    expect(lines).toEqual([
      { file: 'idp-audit-2024-05-01.log.gz', lineNo: 1, text: 'a1', partial: false },
      { file: 'idp-audit-2024-05-01.log.gz', lineNo: 2, text: 'a2', partial: false },
      { file: 'idp-audit.log', lineNo: 1, text: 'b1', partial: false },
      { file: 'idp-audit.log', lineNo: 2, text: 'b2', partial: false },
      { file: 'idp-audit.log', lineNo: 3, text: 'b3-cut', partial: true },
    ]);
  });

  it('keeps multi-byte characters whole across read blocks, in large files', async () => {
    const dir = tempDir();
    const lines = Array.from(
      { length: 40_000 },
      (_, i) => `${i}|Zoë Ångström 日本語 😀|${'x'.repeat(i % 97)}`,
    );
    writeLines(dir, 'idp-audit-2024-05-01.log.gz', lines);
    writeLines(dir, 'idp-audit.log', lines);
    const read = await readAll(nodeFiles(dir));
    expect(read.errors).toEqual([]);
    expect(read.lines.map((l) => l.text)).toEqual([...lines, ...lines]);
  });

  it('reports a truncated gzip with the last line read, and goes on with the next file', async () => {
    const dir = tempDir();
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'y'.repeat(40)}`);
    const gz = writeLines(dir, 'idp-audit-2024-05-01.log.gz', lines);
    writeFileSync(gz, readFileSync(gz).subarray(0, Math.floor(readFileSync(gz).length / 2)));
    writeLines(dir, 'idp-audit.log', ['next file']);
    const read = await readAll(nodeFiles(dir));
    expect(read.errors).toHaveLength(1);
    const [error] = read.errors;
    expect(path.basename(error!.file.path)).toBe('idp-audit-2024-05-01.log.gz');
    expect(error!.message).toMatch(/unexpected end of file/);
    const fromGz = read.lines.filter((l) => l.file.endsWith('.gz'));
    expect(fromGz.length).toBeGreaterThan(0);
    expect(error!.afterLine).toBe(fromGz.length);
    expect(fromGz.map((l) => l.text)).toEqual(lines.slice(0, fromGz.length)); // every line delivered is whole
    expect(read.lines.at(-1)).toMatchObject({ file: 'idp-audit.log', text: 'next file' });
  });

  it.each([['idp-audit.log'], ['idp-audit-2024-05-01.log.gz']])(
    'skips a line longer than 1 MiB, reports it with its number, and reads on (%s)',
    async (name) => {
      const dir = tempDir();
      writeLines(dir, name, ['first', 'second', 'z'.repeat(5 << 20), 'third', 'fourth']);
      const read = await readAll(nodeFiles(path.join(dir, name)));
      expect(read.lines.map((l) => [l.lineNo, l.text])).toEqual([
        [1, 'first'],
        [2, 'second'],
        [4, 'third'],
        [5, 'fourth'],
      ]);
      expect(read.errors).toHaveLength(1);
      expect(read.errors[0]).toMatchObject({ line: 3, afterLine: 2 });
      expect(read.errors[0]!.message).toBe('a line longer than 1 MiB (5242880 bytes), skipped');
    },
  );

  it('reads a 64 MB file without a line break in linear time: one partial line, its bytes not kept', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'idp-audit.log'), Buffer.alloc(64 << 20, 0x61));
    const started = performance.now();
    const read = await readAll(nodeFiles(dir));
    console.log(`64 MB without a line break read in ${Math.round(performance.now() - started)} ms`);
    expect(read.errors).toEqual([]);
    expect(read.lines).toEqual([{ file: 'idp-audit.log', lineNo: 1, text: '', partial: true }]);
  }, 60_000);

  it('reports a corrupt gzip (bytes changed) and goes on with the next file', async () => {
    const dir = tempDir();
    const text = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join('');
    const gz = gzipSync(text);
    gz[Math.floor(gz.length * 0.4)]! ^= 0xff;
    writeFileSync(path.join(dir, 'idp-audit-2024-05-01.log.gz'), gz);
    writeFileSync(path.join(dir, 'idp-audit-2024-05-02.log.gz'), 'not gzip at all\n');
    writeLines(dir, 'idp-audit.log', ['still read']);
    const read = await readAll(nodeFiles(dir));
    expect(read.errors.map((e) => path.basename(e.file.path))).toEqual([
      'idp-audit-2024-05-01.log.gz',
      'idp-audit-2024-05-02.log.gz',
    ]);
    expect(read.errors[1]).toMatchObject({ afterLine: 0 });
    expect(read.errors[1]!.message).toMatch(/header/);
    expect(read.lines.at(-1)).toMatchObject({ file: 'idp-audit.log', text: 'still read' });
  });
});
