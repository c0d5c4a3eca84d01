/**
 * The default LoginThrottle (login-throttle.ts has the rules): table login_failures of the embedded
 * SQLite database (src/storage/sqlite-schema.ts), so a restart does not reset it. Every call may
 * wait for a database lock (sqlite-busy.ts).
 */
import type { Statement } from 'better-sqlite3';
import { IdpError } from '../core/errors.js';
import { retryWhileBusy, type BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';
import type { Lockout, LoginThrottle, ThrottleLimits } from './login-throttle.js';

export class SqliteLoginThrottle implements LoginThrottle {
  private readonly countForAddress: Statement<[string, string, number], { n: number }>;
  private readonly countForAccount: Statement<[string, number], { n: number }>;
  private readonly reserve: (username: string, address: string) => Lockout | undefined;
  private readonly clearAddress: Statement<[string, string]>;

  constructor(
    db: SqliteDatabase,
    private readonly limits: ThrottleLimits,
    private readonly busy: BusyPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.countForAddress = db.prepare(
      'SELECT count(*) AS n FROM login_failures WHERE username = ? AND address = ? AND at > ?',
    );
    this.countForAccount = db.prepare(
      'SELECT count(*) AS n FROM login_failures WHERE username = ? AND at > ?',
    );
    const prune = db.prepare<[number]>('DELETE FROM login_failures WHERE at <= ?');
    const insert = db.prepare<[string, string, number]>(
      'INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?)',
    );
    this.reserve = db.transaction((username: string, address: string): Lockout | undefined => {
      const { maxFailures, maxFailuresPerAccount, windowMs } = this.limits;
      const since = this.now() - windowMs;
      if (maxFailures > 0 && this.countForAddress.get(username, address, since)!.n >= maxFailures)
        return 'address';
      if (
        maxFailuresPerAccount > 0 &&
        this.countForAccount.get(username, since)!.n >= maxFailuresPerAccount
      )
        return 'account';
      prune.run(since);
      insert.run(username, address, this.now());
      return undefined;
    });
    this.clearAddress = db.prepare('DELETE FROM login_failures WHERE username = ? AND address = ?');
  }

  begin(username: string, address: string): Promise<Lockout | undefined> {
    return this.guard(() => this.reserve(username, address));
  }

  clear(username: string, address: string): Promise<void> {
    return this.guard(() => void this.clearAddress.run(username, address));
  }

  private async guard<T>(work: () => T): Promise<T> {
    try {
      return await retryWhileBusy(work, this.busy, 'login throttle');
    } catch (err) {
      if (err instanceof IdpError) throw err;
      throw new IdpError(
        'SESSION_STORE_FAILED',
        `login throttle failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
