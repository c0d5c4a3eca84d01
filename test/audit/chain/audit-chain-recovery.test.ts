/** Start-up after a crash: where the chain resumes when the file ends without a line break. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuditFormat } from '../../../src/audit/audit-format.js';
import { parseChainLine } from '../../../src/audit/chain/audit-chain.js';
import { nodeFiles } from '../../../src/audit/trail/audit-files.js';
import { verifyAuditTrail } from '../../../src/audit/verify/audit-verify.js';
import {
  det,
  expectChained,
  FORMAT,
  fieldsOf,
  linesOf,
  openChain,
  record,
  tempAuditFile,
  testKey,
} from './chain-support.js';

const key = testKey();

describe('audit chain start-up after a crash', () => {
  it('takes a last line missing only its line break as the chain position, not as a partial line', async () => {
    const file = tempAuditFile();
    const first = await openChain(file, key);
    await first.write(record('a'));
    await first.write(record('b'));
    await first.close();
    // A crash between b's bytes and its line break: no line break, no shutdown checkpoint.
    writeFileSync(file, linesOf(file).slice(0, -1).join('\n'));
    const second = await openChain(file, key);
    await second.write(record('c'));
    await second.close();
    const lines = linesOf(file).slice(0, 6);
    expectChained(lines);
    const start = lines[4]!;
    expect(fieldsOf(start)).toMatchObject({ act: 'start', e: '' });
    expect(det(start, 'partialLine')).toBeUndefined();
    expect(fieldsOf(lines[5]!).u).toBe('c');
    const report = await verifyAuditTrail([nodeFiles(file)], {
      publicKeys: [key.publicKey],
      format: parseAuditFormat(FORMAT),
    });
    expect(report.ok, JSON.stringify(report.nodes[0]!.files)).toBe(true);
  });

  it('reads a huge file without a line break at once, as one partial line', async () => {
    const file = tempAuditFile();
    mkdirSync(path.dirname(file), { recursive: true });
    const size = 32 * 1024 * 1024;
    writeFileSync(file, Buffer.alloc(size, 'x'));
    const began = Date.now();
    const sink = await openChain(file, key);
    console.log(`start-up over ${size} bytes without a line break: ${Date.now() - began} ms`);
    await sink.write(record('a'));
    await sink.close();
    const lines = linesOf(file).slice(1);
    expectChained(lines);
    expect(det(lines[0]!, 'partialLine')).toBe('1');
    expect(det(lines[0]!, 'partialBytes')).toBe(String(size));
    expect(lines.map((l) => parseChainLine(l)?.seq)).toEqual([1, 2, 3]);
  }, 20_000); // the old quadratic read took about 90 s here; now well under a second
});
