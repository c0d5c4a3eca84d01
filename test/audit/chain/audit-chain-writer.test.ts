/** The audit chain's writer over real files: sealing, control records, checkpoints, restarts, crashes. */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseChainLine } from '../../../src/audit/chain/audit-chain.js';
import {
  checkpointPayload,
  signCheckpoint,
  verifyCheckpoint,
} from '../../../src/audit/chain/audit-checkpoint.js';
import type { FileAuditSink } from '../../../src/audit/file-audit-sink.js';
import {
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
let open: FileAuditSink | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('audit chain writer', () => {
  it('opens a new file, seals records in the order handed over, and ends with a signed shutdown checkpoint', async () => {
    const file = tempAuditFile();
    const sink = await openChain(file, key);
    await Promise.all(['a', 'b', 'c', 'd'].map((u) => sink.write(record(u))));
    await sink.close();
    const lines = linesOf(file);
    expectChained(lines);
    expect(lines.map((l) => fieldsOf(l).act)).toEqual([
      'open',
      'start',
      'release',
      'release',
      'release',
      'release',
      'checkpoint',
    ]);
    expect(lines.slice(2, 6).map((l) => fieldsOf(l).u)).toEqual(['a', 'b', 'c', 'd']);
    expect(fieldsOf(lines[0]!).det).toEqual(['prevSeq=0', 'prev=GENESIS', 'previousFile=']);
    expect(det(lines[1]!, 'node')).toBeTruthy();
    expect(det(lines[6]!, 'reason')).toBe('shutdown');
    expectSignedCheckpoint(lines[6]!, lines[5]!, key);
  });

  it('resolves a record only once its sealed line is in the file', async () => {
    const file = tempAuditFile();
    open = await openChain(file, key);
    await open.write(record('zoe'));
    const last = linesOf(file).at(-1)!;
    expect(fieldsOf(last).u).toBe('zoe');
    expect(parseChainLine(last)?.seq).toBe(3);
  });

  it('continues the chain across a restart, with a start record and no second open record', async () => {
    const file = tempAuditFile();
    const first = await openChain(file, key);
    await first.write(record('a'));
    await first.close();
    const second = await openChain(file, key);
    await second.write(record('b'));
    await second.close();
    const lines = linesOf(file);
    expectChained(lines);
    expect(lines.map((l) => fieldsOf(l).act)).toEqual([
      'open',
      'start',
      'release',
      'checkpoint',
      'start',
      'release',
      'checkpoint',
    ]);
  });

  it('writes a signed checkpoint every idp.audit.checkpoint.records records', async () => {
    const file = tempAuditFile();
    const sink = await openChain(file, key, { checkpointRecords: 4 });
    for (const u of ['a', 'b', 'c', 'd', 'e']) await sink.write(record(u));
    const lines = linesOf(file);
    // open, start, a, b → 4 records → checkpoint; then c, d, e
    expect(fieldsOf(lines[4]!).act).toBe('checkpoint');
    expect(det(lines[4]!, 'reason')).toBe('interval');
    expectSignedCheckpoint(lines[4]!, lines[3]!, key);
    expect(lines.slice(5).map((l) => fieldsOf(l).u)).toEqual(['c', 'd', 'e']);
    await sink.close();
  });

  it('writes a checkpoint after the interval if something was written since', async () => {
    const file = tempAuditFile();
    open = await openChain(file, key, { checkpointIntervalMs: 100 });
    await open.write(record('a'));
    await expect
      .poll(() => fieldsOf(linesOf(file).at(-1)!).act, { timeout: 3000 })
      .toBe('checkpoint');
    const lines = linesOf(file);
    expectSignedCheckpoint(lines.at(-1)!, lines.at(-2)!, key);
    await new Promise((r) => setTimeout(r, 300));
    expect(linesOf(file)).toHaveLength(lines.length); // nothing new: no second checkpoint
  });

  it('says so in the start record when the file ended in a partial line, and resumes after the last whole one', async () => {
    const file = tempAuditFile();
    const first = await openChain(file, key);
    await first.write(record('a'));
    await first.close();
    const whole = linesOf(file);
    appendFileSync(file, `${record('cut-off')}|5|abc`); // a crash mid-write
    const second = await openChain(file, key);
    await second.write(record('b'));
    await second.close();
    const lines = linesOf(file);
    expect(lines[whole.length]).toBe(`${record('cut-off')}|5|abc`);
    const start = lines[whole.length + 1]!;
    expect(fieldsOf(start)).toMatchObject({ act: 'start', e: 'AuditTrailRecovered' });
    expect(det(start, 'partialLine')).toBe(String(whole.length + 1));
    expect(det(start, 'partialBytes')).toBe(String(`${record('cut-off')}|5|abc`.length));
    expectChained([...whole, ...lines.slice(whole.length + 1)]);
  });

  it('starts the chain at seq 1 after lines written with the chain off, and counts them', async () => {
    const file = tempAuditFile();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${record('old1')}\n${record('old2')}\n`);
    const sink = await openChain(file, key);
    await sink.write(record('new'));
    await sink.close();
    const lines = linesOf(file);
    expect(lines.slice(0, 2)).toEqual([record('old1'), record('old2')]);
    expectChained(lines.slice(2));
    expect(fieldsOf(lines[2]!).act).toBe('start');
    expect(det(lines[2]!, 'unchainedLines')).toBe('2');
  });

  it('fails the record closed when the file cannot be written, and numbers nothing it did not write', async () => {
    const sink = await openChain('/dev/full', key);
    await expect(sink.write(record('lost'))).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    await sink.close();
  });

  it('exports the checkpoint check `audit verify` uses, which agrees with crypto.verify', async () => {
    const file = tempAuditFile();
    const sink = await openChain(file, key);
    await sink.close();
    const cp = linesOf(file).at(-1)!;
    const [covers, hash, sig] = [det(cp, 'covers')!, det(cp, 'hash')!, det(cp, 'sig')!];
    expect(checkpointPayload(Number(covers), hash)).toBe(`idp-audit-checkpoint|${covers}|${hash}`);
    expect(signCheckpoint(key.privateKey, Number(covers), hash)).toBe(sig); // Ed25519 is deterministic
    expect(verifyCheckpoint(key.publicKey, Number(covers), hash, sig)).toBe(true);
    expect(verifyCheckpoint(key.publicKey, Number(covers) + 1, hash, sig)).toBe(false);
    expect(verifyCheckpoint(testKey().publicKey, Number(covers), hash, sig)).toBe(false);
    expect(verifyCheckpoint(key.publicKey, Number(covers), hash, 'not base64!')).toBe(false);
  });
});
