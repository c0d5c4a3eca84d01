/**
 * Password guessing brake: after idp.login.maxFailures failed logins for one account within
 * idp.login.failureWindow, further attempts for it are refused until the window has passed. Kept
 * in SQLite so a restart does not reset it.
 */
import type { SqliteDatabase } from '../storage/sqlite-database.js';

export class LoginThrottle {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS login_failures (username TEXT NOT NULL, at INTEGER NOT NULL)');
    db.exec('CREATE INDEX IF NOT EXISTS login_failures_by_user ON login_failures (username, at)');
    db.exec('CREATE INDEX IF NOT EXISTS login_failures_by_time ON login_failures (at)');
  }

  isLocked(username: string): boolean {
    if (this.maxFailures === 0) return false;
    const { n } = this.db
      .prepare('SELECT count(*) AS n FROM login_failures WHERE username = ? AND at > ?')
      .get(username, this.now() - this.windowMs) as { n: number };
    return n >= this.maxFailures;
  }

  recordFailure(username: string): void {
    this.db.prepare('DELETE FROM login_failures WHERE at <= ?').run(this.now() - this.windowMs);
    this.db.prepare('INSERT INTO login_failures (username, at) VALUES (?, ?)').run(username, this.now());
  }

  clear(username: string): void {
    this.db.prepare('DELETE FROM login_failures WHERE username = ?').run(username);
  }
}
