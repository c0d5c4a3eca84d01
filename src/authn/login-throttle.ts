/**
 * Password guessing brake, keyed like Shibboleth's account lockout (username + client address):
 *
 * - idp.login.maxFailures failed logins for one account from one client address (throttleAddress:
 *   an IPv4 address, or an IPv6 /64) within idp.login.failureWindow lock that account *for that
 *   address* for the rest of the window. Somebody guessing from one place cannot lock the real
 *   user out from another.
 * - idp.login.maxFailuresPerAccount failures for one account from all addresses together lock the
 *   account everywhere for the rest of the window: the ceiling on guessing from many addresses,
 *   and necessarily also a way for an attacker with enough addresses to lock the account.
 *
 * An attempt is counted as a failure before its password is checked, in one step with the check
 * of the limits (begin()): however many attempts arrive at once, each one sees those before it, so
 * a burst of posts cannot all pass the check while the first passwords are still being hashed.
 * A successful login then clears the failures of its own (account, address) pair only, so a user
 * who signs in does not wipe out what other addresses have tried. Kept in SQLite so a restart does not
 * reset it (table login_failures, src/storage/sqlite-schema.ts). Every call may wait for a database
 * lock (sqlite-busy.ts) and is therefore async.
 */
import type { Statement } from 'better-sqlite3';
import { IdpError } from '../core/errors.js';
import { retryWhileBusy, type BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';

export interface ThrottleLimits {
  /** Per (account, address); 0 = no limit. */
  readonly maxFailures: number;
  /** Per account across all addresses; 0 = no limit. */
  readonly maxFailuresPerAccount: number;
  readonly windowMs: number;
}

/** Which limit an attempt is refused by. */
export type Lockout = 'address' | 'account';

export class LoginThrottle {
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

  /**
   * A login attempt for this account from this address: refused (and by which limit) when the
   * limits are reached; otherwise counted as a failure now, until clear() says it succeeded.
   */
  begin(username: string, address: string): Promise<Lockout | undefined> {
    return this.guard(() => this.reserve(username, address));
  }

  /** After a successful login: forget this (account, address) pair's failures. */
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
