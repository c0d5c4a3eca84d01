/**
 * The SQLite PersistentIdStore (src/frontend/saml/nameid/sqlite-persistent-id-store.ts): an
 * identifier per IdP, SP and account, created once and found ever after, opaque, and kept in the
 * file across restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdpError } from '../../../../src/core/errors.js';
import { SqlitePersistentIdStore } from '../../../../src/frontend/saml/nameid/sqlite-persistent-id-store.js';
import { openSqliteDatabase } from '../../../../src/storage/sqlite-database.js';

const KEY = { idp: 'https://idp.example.org', sp: 'https://sp.example.org', principal: 'bob' };

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'persistent-ids-'));
  file = path.join(dir, 'idp.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SqlitePersistentIdStore', () => {
  it('creates an opaque identifier once, finds it after, and keeps it in the file', async () => {
    const db = openSqliteDatabase(file);
    const store = new SqlitePersistentIdStore(db, { maxWaitMs: 0 }, () => 1234);
    expect(await store.find(KEY)).toBeUndefined();
    const id = await store.findOrCreate(KEY);
    expect(id).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(await store.findOrCreate(KEY)).toBe(id);
    expect(await store.find(KEY)).toBe(id);
    expect(db.prepare('SELECT * FROM persistent_ids').all()).toEqual([
      {
        idp_entity: KEY.idp,
        sp_qualifier: KEY.sp,
        principal: 'bob',
        persistent_id: id,
        created_at: 1234,
      },
    ]);
    db.close();
    const again = openSqliteDatabase(file);
    expect(await new SqlitePersistentIdStore(again, { maxWaitMs: 0 }).find(KEY)).toBe(id);
    again.close();
  });

  it('gives every SP, IdP and account its own identifier', async () => {
    const db = openSqliteDatabase(':memory:');
    const store = new SqlitePersistentIdStore(db, { maxWaitMs: 0 });
    const ids = await Promise.all(
      [
        KEY,
        { ...KEY, sp: 'https://sp2' },
        { ...KEY, idp: 'https://idp2' },
        { ...KEY, principal: 'carol' },
      ].map((k) => store.findOrCreate(k)),
    );
    expect(new Set(ids).size).toBe(4);
    db.close();
  });

  it('answers two first uses at once with one identifier (two IdPs on one file)', async () => {
    const one = openSqliteDatabase(file);
    const two = openSqliteDatabase(file);
    const [a, b] = await Promise.all([
      new SqlitePersistentIdStore(one, { maxWaitMs: 1000 }).findOrCreate(KEY),
      new SqlitePersistentIdStore(two, { maxWaitMs: 1000 }).findOrCreate(KEY),
    ]);
    expect(a).toBe(b);
    one.close();
    two.close();
  });

  it('fails with PERSISTENT_ID_STORE_FAILED when the database fails', async () => {
    const db = openSqliteDatabase(':memory:');
    const store = new SqlitePersistentIdStore(db, { maxWaitMs: 0 });
    db.exec('DROP TABLE persistent_ids');
    const failure = await store.findOrCreate(KEY).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(IdpError);
    expect((failure as IdpError).code).toBe('PERSISTENT_ID_STORE_FAILED');
    expect((failure as IdpError).status).toBe(503);
    db.close();
  });
});
