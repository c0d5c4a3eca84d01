import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileAuditSink } from '../../src/audit/file-audit-sink.js';
import { IdpError } from '../../src/core/errors.js';
import { createProcessLog } from '../../src/logging/process-log.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function tempFile(): string {
  dir = mkdtempSync(path.join(tmpdir(), 'audit-'));
  return path.join(dir, 'logs', 'idp-audit.log');
}

describe('FileAuditSink', () => {
  it('has the record in the file when write() resolves', async () => {
    const file = tempFile();
    const sink = await FileAuditSink.open(file);
    await sink.write('first|record');
    expect(readFileSync(file, 'utf8')).toBe('first|record\n');
    await sink.write('second|record\n');
    expect(readFileSync(file, 'utf8')).toBe('first|record\nsecond|record\n');
    await sink.close();
  });

  it('keeps every concurrent record whole and on its own line', async () => {
    const file = tempFile();
    const sink = await FileAuditSink.open(file);
    const records = Array.from({ length: 200 }, (_, i) => `record-${i}|${'x'.repeat(i)}`);
    await Promise.all(records.map((r) => sink.write(r)));
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.sort()).toEqual([...records].sort());
    await sink.close();
  });

  it('appends to an existing log', async () => {
    const file = tempFile();
    const a = await FileAuditSink.open(file);
    await a.write('one');
    await a.close();
    const b = await FileAuditSink.open(file);
    await b.write('two');
    await b.close();
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
  });

  it('starts on a new line, and says so, when the last run left a partial record', async () => {
    // What a write cut short by a full disk or a crash leaves: a record without its line break.
    const file = tempFile();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'whole|record\npartial|rec');
    const logFile = path.join(path.dirname(file), 'idp-process.log');
    const log = createProcessLog({
      file: logFile,
      fileLevel: 'INFO',
      consoleLevel: 'ERROR',
      console: false,
    });
    const sink = await FileAuditSink.open(file, log);
    await sink.write('next|record');
    await sink.close();
    await log.close();
    expect(readFileSync(file, 'utf8')).toBe('whole|record\npartial|rec\nnext|record\n');
    expect(readFileSync(logFile, 'utf8')).toMatch(
      /WARN .*Audit log .*idp-audit\.log ended in a partial record/,
    );
  });

  it('adds nothing to a log that ends with a whole record', async () => {
    const file = tempFile();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'whole|record\n');
    const sink = await FileAuditSink.open(file);
    await sink.write('next|record');
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe('whole|record\nnext|record\n');
  });

  it('rejects with AUDIT_WRITE_FAILED when the disk is full', async () => {
    const sink = await FileAuditSink.open('/dev/full');
    const failure = await sink.write('lost').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IdpError);
    expect((failure as IdpError).code).toBe('AUDIT_WRITE_FAILED');
    expect((failure as IdpError).message).toContain('ENOSPC');
    await sink.close();
  });

  it('refuses to open a path that is not a writable file', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'audit-'));
    await expect(FileAuditSink.open(dir)).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
  });
});
