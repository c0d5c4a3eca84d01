/**
 * The SQLite session store: sessions round-trip, expire, and a rolling touch only writes when it
 * moves the stored idle expiry by at least a minute (a write per request would buy nothing; a
 * session may end up to a minute early, never late).
 */
import type session from 'express-session';
import { describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../src/session/sqlite-session-store.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';

const HOUR = 3_600_000;

function storeAt(clock: { now: number }) {
  const db = openSqliteDatabase(':memory:');
  const store = new SqliteSessionStore(db, HOUR, { maxWaitMs: 100 }, () => clock.now);
  const call = <T>(fn: (cb: (err?: unknown, value?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) =>
      fn((err, value) =>
        err ? reject(err instanceof Error ? err : new Error('store failed')) : resolve(value),
      ),
    );
  const storedExpiry = (sid: string) =>
    (
      db.prepare('SELECT expires FROM idp_sessions WHERE sid = ?').get(sid) as
        { expires: number } | undefined
    )?.expires;
  const data = (expires: number) =>
    ({
      cookie: { expires: new Date(expires), originalMaxAge: HOUR },
      createdAt: 1,
    }) as unknown as session.SessionData;
  return { store, call, storedExpiry, data, close: () => (store.close(), db.close()) };
}

describe('SqliteSessionStore', () => {
  it('stores, reads back and refuses expired sessions', async () => {
    const clock = { now: 1_000_000 };
    const s = storeAt(clock);
    await s.call((cb) => s.store.set('a', s.data(clock.now + HOUR), cb));
    expect(await s.call((cb) => s.store.get('a', cb))).toMatchObject({ createdAt: 1 });
    clock.now += HOUR;
    expect(await s.call((cb) => s.store.get('a', cb))).toBeNull();
    s.close();
  });

  it('writes a touch only when it moves the idle expiry by a minute or more', async () => {
    const clock = { now: 1_000_000 };
    const s = storeAt(clock);
    const first = clock.now + HOUR;
    await s.call((cb) => s.store.set('a', s.data(first), cb));

    clock.now += 30_000;
    await s.call((cb) => s.store.touch('a', s.data(clock.now + HOUR), cb));
    expect(s.storedExpiry('a'), 'a touch 30 s later is not written').toBe(first);

    clock.now += 45_000;
    await s.call((cb) => s.store.touch('a', s.data(clock.now + HOUR), cb));
    expect(s.storedExpiry('a'), 'a touch 75 s after the write is').toBe(clock.now + HOUR);
    s.close();
  });
});
