/**
 * A batch whose write or sync fails while the IdP runs was never acknowledged: the trail must read
 * afterwards as if it had not been tried (`audit verify` ok, no seq twice, the refused records
 * absent) — and where the file cannot be cut back, the trail still verifies and says what is left.
 */
import { describe, expect, it } from 'vitest';
import { parseAuditFormat } from '../../../src/audit/audit-format.js';
import { parseChainLine } from '../../../src/audit/chain/audit-chain.js';
import { nodeFiles } from '../../../src/audit/trail/audit-files.js';
import { verifyAuditTrail } from '../../../src/audit/verify/audit-verify.js';
import {
  det,
  FORMAT,
  fieldsOf,
  linesOf,
  openChain,
  openChainWriter,
  record,
  tempAuditFile,
  testKey,
} from './chain-support.js';
import { beforeLineBreak, failNextAppend, midLine, type Fault } from './faulty-io.js';

const key = testKey();

/** Writes a, fails `lost` as `fault` says, writes b and c, restarts, writes d. */
async function trailWithFailure(fault: Fault): Promise<string> {
  const file = tempAuditFile();
  const { sink, writer } = await openChainWriter(file, key);
  await sink.write(record('a'));
  failNextAppend(writer.file, fault);
  await expect(sink.write(record('lost'))).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
  await sink.write(record('b'));
  await sink.write(record('c'));
  await sink.close();
  const again = await openChain(file, key);
  await again.write(record('d'));
  await again.close();
  return file;
}

async function expectVerified(file: string) {
  const report = await verifyAuditTrail([nodeFiles(file)], {
    publicKeys: [key.publicKey],
    format: parseAuditFormat(FORMAT),
  });
  expect(report.ok, JSON.stringify(report.nodes[0]!.files)).toBe(true);
  const seqs = linesOf(file).flatMap((l) => parseChainLine(l)?.seq ?? []);
  expect(new Set(seqs).size).toBe(seqs.length);
  const users = linesOf(file).map((l) => fieldsOf(l).u);
  expect(users.filter((u) => /^[a-d]$/.test(u))).toEqual(['a', 'b', 'c', 'd']);
  return report.nodes[0]!.files[0]!;
}

describe('a failed audit write while the IdP runs', () => {
  it.each([
    ['its fdatasync fails', { sync: true }],
    ['its write is cut mid-line', { cutAt: midLine }],
    ['its write is cut just before the line break', { cutAt: beforeLineBreak }],
  ])('leaves no trace of the refused batch when %s', async (_, fault) => {
    const file = await trailWithFailure(fault);
    await expectVerified(file);
    expect(linesOf(file).join('\n')).not.toContain('lost');
  });

  it('keeps the synced-but-refused records chained when the file cannot be cut back', async () => {
    const file = await trailWithFailure({ sync: true, truncate: true });
    await expectVerified(file);
    expect(linesOf(file).filter((l) => fieldsOf(l).u === 'lost')).toHaveLength(1);
  });

  it('takes a whole line cut only before its line break as written when the file cannot be cut back', async () => {
    const file = await trailWithFailure({ cutAt: beforeLineBreak, truncate: true });
    await expectVerified(file);
    expect(linesOf(file).filter((l) => fieldsOf(l).u === 'lost')).toHaveLength(1);
  });

  it('names a fragment it cannot cut back in a recover record, which verify takes as a note', async () => {
    const file = await trailWithFailure({ cutAt: midLine, truncate: true });
    const verdict = await expectVerified(file);
    const lines = linesOf(file);
    const at = lines.findIndex((l) => !parseChainLine(l));
    expect(lines[at]).toContain('|lost|');
    const recover = lines[at + 1]!;
    expect(fieldsOf(recover)).toMatchObject({ P: 'Audit', act: 'recover' });
    expect(det(recover, 'partialLine')).toBe(String(at + 1));
    expect(det(recover, 'partialBytes')).toBe(String(Buffer.byteLength(lines[at]!)));
    expect(verdict.notes.map((n) => n.line)).toEqual([at + 1]);
  });
});
