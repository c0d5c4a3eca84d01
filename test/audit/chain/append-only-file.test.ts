/** The append-only audit file when an append fails: cut back, or left as it is without a blank line. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendOnlyFile } from '../../../src/audit/chain/append-only-file.js';
import { tempAuditFile } from './chain-support.js';
import { failNextAppend, midLine } from './faulty-io.js';

async function afterFailure(fault: Parameters<typeof failNextAppend>[1]): Promise<string> {
  const file = tempAuditFile();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'a\n');
  const f = await AppendOnlyFile.open(file);
  failNextAppend(f, fault);
  await expect(f.append('lost-record\n')).rejects.toThrow(/EIO/);
  await f.append('b\n');
  await f.close();
  return readFileSync(file, 'utf8');
}

describe('AppendOnlyFile after a failed append', () => {
  it('cuts the file back to where it stood when the sync fails', async () => {
    expect(await afterFailure({ sync: true })).toBe('a\nb\n');
  });

  it('cuts the file back to where it stood when the write fails part-way', async () => {
    expect(await afterFailure({ cutAt: midLine })).toBe('a\nb\n');
  });

  it('adds no blank line when the synced append cannot be cut back', async () => {
    expect(await afterFailure({ sync: true, truncate: true })).toBe('a\nlost-record\nb\n');
  });

  it('starts on a new line after a partial line it cannot cut back', async () => {
    const cut = (bytes: Buffer) => bytes.length - 4;
    expect(await afterFailure({ cutAt: cut, truncate: true })).toBe('a\nlost-rec\nb\n');
  });
});
