/** retryWhileBusy against a real lock: a second connection to the same file in BEGIN IMMEDIATE. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdpError } from '../../src/core/errors.js';
import { isBusy, retryWhileBusy } from '../../src/storage/sqlite-busy.js';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/storage/sqlite-database.js';

let dir: string;
let db: SqliteDatabase;
let other: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sqlite-busy-'));
  db = openSqliteDatabase(path.join(dir, 'idp.db'));
  db.exec('CREATE TABLE t (v INTEGER)');
  other = new Database(path.join(dir, 'idp.db'));
  other.exec('BEGIN IMMEDIATE');
});
afterEach(() => {
  if (other.inTransaction) other.exec('ROLLBACK');
  other.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = () => db.prepare('INSERT INTO t (v) VALUES (1)').run();

describe('the IdP connection', () => {
  it('fails a write at once on a lock instead of waiting inside the driver', () => {
    const start = performance.now();
    let failure: unknown;
    try {
      insert();
    } catch (err) {
      failure = err;
    }
    expect(isBusy(failure)).toBe(true);
    expect(performance.now() - start).toBeLessThan(500); // was up to busy_timeout = 5000 ms
  });

  it('still reads while another connection writes (WAL)', () => {
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
  });
});

describe('retryWhileBusy', () => {
  it('goes on once the lock is released, and keeps the event loop running meanwhile', async () => {
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    setTimeout(() => other.exec('COMMIT'), 200);
    await retryWhileBusy(insert, { maxWaitMs: 5_000 }, 'test');
    clearInterval(ticker);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    expect(ticks).toBeGreaterThan(5);
  });

  it('gives up with STORAGE_BUSY (503) after maxWaitMs', async () => {
    const start = performance.now();
    const failure = await retryWhileBusy(insert, { maxWaitMs: 300 }, 'flow execution store').catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(IdpError);
    expect(failure).toMatchObject({ code: 'STORAGE_BUSY', status: 503, event: 'StorageBusy' });
    expect((failure as Error).message).toContain('flow execution store');
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);
  });

  it('passes other errors through unchanged, without retrying', async () => {
    let calls = 0;
    const failure = await retryWhileBusy(
      () => {
        calls += 1;
        return db.prepare('SELECT * FROM no_such_table').get();
      },
      { maxWaitMs: 1_000 },
      'test',
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(isBusy(failure)).toBe(false);
    expect((failure as Error).message).toContain('no such table');
  });
});
