/**
 * The default IdP session store: express-session's Store over the embedded SQLite database (the
 * MemoryStore is not for production, and the npm SQLite stores are unmaintained or GPL). Expired
 * sessions are refused on read and pruned periodically. A failing store surfaces as
 * SESSION_STORE_FAILED, which stops the request with an error page; a store locked by another
 * process is waited for on a timer (sqlite-busy.ts) and then surfaces as STORAGE_BUSY. Table
 * idp_sessions (src/storage/sqlite-schema.ts).
 */
import type { Statement } from 'better-sqlite3';
import session from 'express-session';
import { IdpError } from '../core/errors.js';
import { retryWhileBusy, type BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

/**
 * Rolling sessions move their idle expiry forward on every request; writing it each time is a
 * write per request for nothing. A touch that would move the stored expiry by less than this is
 * skipped: the session may then end up to this much before its idle timeout — the safe side.
 */
const TOUCH_GRANULARITY_MS = 60_000;
/** Sessions whose stored expiry is remembered for that; beyond it the oldest are forgotten. */
const REMEMBERED_EXPIRIES = 100_000;

export class SqliteSessionStore extends session.Store {
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly select: Statement<[string], { data: string; expires: number }>;
  private readonly upsert: Statement<[string, string, number]>;
  private readonly extend: Statement<[number, string]>;
  private readonly remove: Statement<[string]>;
  private readonly pruneExpired: Statement<[number]>;
  /** sid → the expiry last read or written, for skipping touches that change almost nothing. */
  private readonly storedExpiry = new Map<string, number>();

  constructor(
    db: SqliteDatabase,
    private readonly defaultTtlMs: number,
    private readonly busy: BusyPolicy,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.select = db.prepare('SELECT data, expires FROM idp_sessions WHERE sid = ?');
    this.upsert = db.prepare(
      'INSERT INTO idp_sessions (sid, data, expires) VALUES (?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires = excluded.expires',
    );
    this.extend = db.prepare('UPDATE idp_sessions SET expires = ? WHERE sid = ?');
    this.remove = db.prepare('DELETE FROM idp_sessions WHERE sid = ?');
    this.pruneExpired = db.prepare('DELETE FROM idp_sessions WHERE expires <= ?');
    this.pruneTimer = setInterval(() => this.prune(), 10 * 60_000);
    this.pruneTimer.unref();
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.run(callback, () => {
      const row = this.select.get(sid);
      if (!row || row.expires <= this.now()) return null;
      this.remember(sid, row.expires);
      return JSON.parse(row.data) as session.SessionData;
    });
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const json = JSON.stringify(data);
    const expires = this.expiry(data);
    this.run(callback, () => {
      this.upsert.run(sid, json, expires);
      this.remember(sid, expires);
    });
  }

  /**
   * Only moves the idle expiry forward (rolling sessions). express-session holds the end of an
   * already written response until this answers, so it is tried once and never fails the
   * response: if the database is locked (or failing), the session simply expires a little
   * earlier — the safe direction — and the next read or write reports a failing store.
   */
  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    const expires = this.expiry(data);
    const stored = this.storedExpiry.get(sid);
    if (stored === undefined || expires - stored >= TOUCH_GRANULARITY_MS) {
      try {
        this.extend.run(expires, sid);
        this.remember(sid, expires);
      } catch {
        // See above: best effort.
      }
    }
    callback?.();
  }

  override destroy(sid: string, callback?: Callback): void {
    this.storedExpiry.delete(sid);
    this.run(callback, () => void this.remove.run(sid));
  }

  close(): void {
    clearInterval(this.pruneTimer);
  }

  prune(): void {
    try {
      this.pruneExpired.run(this.now());
    } catch {
      // Pruning is housekeeping; the next read still refuses expired rows.
    }
  }

  private remember(sid: string, expires: number): void {
    this.storedExpiry.delete(sid); // re-inserted last: the Map's order is the order of use
    this.storedExpiry.set(sid, expires);
    if (this.storedExpiry.size > REMEMBERED_EXPIRIES)
      this.storedExpiry.delete(this.storedExpiry.keys().next().value!);
  }

  private expiry(data: session.SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : this.now() + this.defaultTtlMs;
  }

  private run<T>(callback: Callback<T> | undefined, work: () => T): void {
    retryWhileBusy(work, this.busy, 'session store').then(
      (value) => callback?.(undefined, value),
      (err: unknown) =>
        callback?.(
          err instanceof IdpError
            ? err
            : new IdpError(
                'SESSION_STORE_FAILED',
                `session store failed: ${(err as Error).message}`,
                { cause: err },
              ),
        ),
    );
  }
}
