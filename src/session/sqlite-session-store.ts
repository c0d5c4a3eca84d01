/**
 * The default IdP session store: express-session's Store over the embedded SQLite database (the
 * MemoryStore is not for production, and the npm SQLite stores are unmaintained or GPL). Expired
 * sessions are refused on read and pruned periodically. A failing store surfaces as
 * SESSION_STORE_FAILED, which stops the request with an error page.
 */
import session from 'express-session';
import { IdpError } from '../errors.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

export class SqliteSessionStore extends session.Store {
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly defaultTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
    db.exec(`CREATE TABLE IF NOT EXISTS idp_sessions (
      sid TEXT PRIMARY KEY,
      data TEXT NOT NULL,
      expires INTEGER NOT NULL
    )`);
    db.exec('CREATE INDEX IF NOT EXISTS idp_sessions_expires ON idp_sessions (expires)');
    this.pruneTimer = setInterval(() => this.prune(), 10 * 60_000);
    this.pruneTimer.unref();
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.run(callback, () => {
      const row = this.db.prepare('SELECT data, expires FROM idp_sessions WHERE sid = ?').get(sid) as
        | { data: string; expires: number }
        | undefined;
      if (!row || row.expires <= this.now()) return null;
      return JSON.parse(row.data) as session.SessionData;
    });
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.run(callback, () => {
      this.db
        .prepare('INSERT INTO idp_sessions (sid, data, expires) VALUES (?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires = excluded.expires')
        .run(sid, JSON.stringify(data), this.expiry(data));
    });
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    this.run(callback, () => {
      this.db.prepare('UPDATE idp_sessions SET expires = ? WHERE sid = ?').run(this.expiry(data), sid);
    });
  }

  override destroy(sid: string, callback?: Callback): void {
    this.run(callback, () => {
      this.db.prepare('DELETE FROM idp_sessions WHERE sid = ?').run(sid);
    });
  }

  close(): void {
    clearInterval(this.pruneTimer);
  }

  prune(): void {
    try {
      this.db.prepare('DELETE FROM idp_sessions WHERE expires <= ?').run(this.now());
    } catch {
      // Pruning is housekeeping; the next read still refuses expired rows.
    }
  }

  private expiry(data: session.SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : this.now() + this.defaultTtlMs;
  }

  private run<T>(callback: Callback<T> | undefined, work: () => T): void {
    let value: T;
    try {
      value = work();
    } catch (err) {
      callback?.(new IdpError('SESSION_STORE_FAILED', `session store failed: ${(err as Error).message}`, { cause: err }));
      return;
    }
    callback?.(undefined, value);
  }
}
