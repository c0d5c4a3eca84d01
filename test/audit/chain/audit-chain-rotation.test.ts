/** Rotation of the chained audit file: by UTC day and by size, gzip, names, history, restarts. */
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChainLine } from '../../../src/audit/chain/audit-chain.js';
import { nextRotatedPath, rotatedFiles } from '../../../src/audit/chain/audit-rotated-files.js';
import { finishCompression } from '../../../src/audit/chain/audit-rotation.js';
import {
  clock,
  det,
  expectChained,
  expectSignedCheckpoint,
  fieldsOf,
  linesOf,
  openChain,
  record,
  tempAuditFile,
  testKey,
} from './chain-support.js';

const key = testKey();
const names = (file: string) => readdirSync(path.dirname(file)).sort();

describe('audit chain rotation', () => {
  it('rotates at the first record of a new UTC day to <stem>-<day>.log.gz, and the chain goes on', async () => {
    const file = tempAuditFile();
    const c = clock('2031-03-04T23:59:00Z');
    const sink = await openChain(file, key, { now: c.now });
    await sink.write(record('before-midnight'));
    c.set('2031-03-05T00:00:10Z');
    await sink.write(record('after-midnight'));
    await sink.close();
    expect(names(file)).toEqual(['idp-audit-2031-03-04.log.gz', 'idp-audit.log']);
    const rotated = linesOf(path.join(path.dirname(file), 'idp-audit-2031-03-04.log.gz'));
    const current = linesOf(file);
    expectChained([...rotated, ...current]);
    expect(rotated.map((l) => fieldsOf(l).act)).toEqual(['open', 'start', 'release', 'checkpoint']);
    expect(det(rotated.at(-1)!, 'reason')).toBe('rotation');
    expectSignedCheckpoint(rotated.at(-1)!, rotated.at(-2)!, key);
    const last = parseChainLine(rotated.at(-1)!)!;
    expect(fieldsOf(current[0]!).det).toEqual([
      `prevSeq=${last.seq}`,
      `prev=${last.hash.toString('base64url')}`,
      'previousFile=idp-audit-2031-03-04.log.gz',
    ]);
    expect(current.map((l) => fieldsOf(l).u)).toContain('after-midnight');
  });

  it('rotates by size between records, numbering the rotations of one day', async () => {
    const file = tempAuditFile();
    const c = clock('2031-03-04T10:00:00Z');
    const sink = await openChain(file, key, { now: c.now, rotateMaxSize: 1024 });
    const users = Array.from({ length: 12 }, (_, i) => `user${i}`);
    for (const u of users) await sink.write(record(u, 300));
    await sink.close();
    const rotatedNames = names(file).filter((n) => n !== 'idp-audit.log');
    expect(rotatedNames.slice(0, 3)).toEqual([
      'idp-audit-2031-03-04.1.log.gz',
      'idp-audit-2031-03-04.2.log.gz',
      'idp-audit-2031-03-04.3.log.gz',
    ]);
    expect(rotatedNames).toContain('idp-audit-2031-03-04.log.gz');
    const order = [
      'idp-audit-2031-03-04.log.gz',
      ...rotatedNames.filter((n) => /\.\d+\.log\.gz$/.test(n)).sort((a, b) => index(a) - index(b)),
    ];
    const all = [...order.map((n) => linesOf(path.join(path.dirname(file), n))), linesOf(file)];
    expectChained(all.flat());
    expect(
      all
        .flat()
        .map((l) => fieldsOf(l).u)
        .filter((u) => u.startsWith('user')),
    ).toEqual(users);
    for (const lines of all.slice(0, -1)) {
      expect(fieldsOf(lines.at(-1)!).act).toBe('checkpoint');
      expect(lines.every((l) => l.length < 1024)).toBe(true);
    }
  });

  it('keeps rotated files plain when compression is off', async () => {
    const file = tempAuditFile();
    const c = clock('2031-03-04T10:00:00Z');
    const sink = await openChain(file, key, { now: c.now, compress: false });
    await sink.write(record('a'));
    c.set('2031-03-06T10:00:00Z');
    await sink.write(record('b'));
    await sink.close();
    expect(names(file)).toEqual(['idp-audit-2031-03-04.log', 'idp-audit.log']);
    expect(det(linesOf(file)[0]!, 'previousFile')).toBe('idp-audit-2031-03-04.log');
  });

  it('continues from the newest rotated file when the current one is missing', async () => {
    const file = tempAuditFile();
    const c = clock('2031-03-04T10:00:00Z');
    const first = await openChain(file, key, { now: c.now });
    await first.write(record('a'));
    c.set('2031-03-05T10:00:00Z');
    await first.write(record('b'));
    await first.close();
    // Rotate the current file away by hand, as an operator might, then start again.
    const dir = path.dirname(file);
    const before = [...linesOf(path.join(dir, 'idp-audit-2031-03-04.log.gz')), ...linesOf(file)];
    writeFileSync(path.join(dir, 'idp-audit-2031-03-05.log'), before.slice(-4).join('\n') + '\n');
    writeFileSync(file, '');
    const second = await openChain(file, key, { now: c.now });
    await second.close();
    const current = linesOf(file);
    expect(det(current[0]!, 'previousFile')).toBe('idp-audit-2031-03-05.log');
    expectChained(current, parseChainLine(before.at(-1)!));
  });

  it('rotates at start-up on a file of an earlier day only after its start record', async () => {
    const file = tempAuditFile();
    const c = clock('2031-03-04T10:00:00Z');
    const first = await openChain(file, key, { now: c.now });
    await first.close();
    utimesSync(file, new Date(c.ms), new Date(c.ms));
    c.set('2031-03-05T10:00:00Z');
    const second = await openChain(file, key, { now: c.now });
    await second.write(record('next-day'));
    await second.close();
    const rotated = linesOf(path.join(path.dirname(file), 'idp-audit-2031-03-04.log.gz'));
    expect(rotated.map((l) => fieldsOf(l).act)).toEqual([
      'open',
      'start',
      'checkpoint',
      'start',
      'checkpoint',
    ]);
    expectChained([...rotated, ...linesOf(file)]);
  });

  it('deletes rotated files older than idp.audit.rotate.maxHistory days', async () => {
    const file = tempAuditFile();
    const dir = path.dirname(file);
    mkdirSync(dir, { recursive: true });
    for (const n of [
      'idp-audit-2031-01-01.log.gz',
      'idp-audit-2031-02-27.1.log',
      'other-2020-01-01.log',
    ])
      writeFileSync(path.join(dir, n), '');
    const c = clock('2031-03-04T10:00:00Z');
    const sink = await openChain(file, key, { now: c.now, maxHistoryDays: 5, compress: false });
    await sink.close();
    expect(existsSync(path.join(dir, 'idp-audit-2031-01-01.log.gz'))).toBe(false);
    expect(names(file)).toEqual([
      'idp-audit-2031-02-27.1.log',
      'idp-audit.log',
      'other-2020-01-01.log',
    ]);
  });
});

function index(name: string): number {
  return Number(/\.(\d+)\.log\.gz$/.exec(name)?.[1] ?? 0);
}

describe('an interrupted compression (the .gz complete, the plain file not yet deleted)', () => {
  it('is seen whole by the writer, which numbers after it and finishes by deleting the plain file', async () => {
    const file = tempAuditFile();
    mkdirSync(path.dirname(file), { recursive: true });
    const plain = path.join(path.dirname(file), 'idp-audit-2031-03-04.log');
    writeFileSync(plain, 'line\n');
    writeFileSync(`${plain}.gz`, 'complete gzip\n');
    expect(rotatedFiles(file).map((f) => path.basename(f.path))).toEqual([
      'idp-audit-2031-03-04.log.gz',
      'idp-audit-2031-03-04.log',
    ]);
    expect(path.basename(nextRotatedPath(file, '2031-03-04'))).toBe('idp-audit-2031-03-04.1.log');
    await finishCompression(file);
    expect(names(file)).toEqual(['idp-audit-2031-03-04.log.gz']);
  });
});
