/**
 * Waiting for a SQLite lock without freezing the IdP. better-sqlite3 is synchronous: with SQLite's
 * own busy timeout, a statement that meets a lock held by another process (an admin tool, a
 * backup, a second IdP on the same file) sleeps inside the driver and blocks the event loop — every
 * other request, metadata included, waits with it. The IdP's connection therefore has no busy
 * timeout (sqlite-database.ts): a locked database fails the statement at once with SQLITE_BUSY,
 * and retryWhileBusy() runs the work again after a short, growing pause on a timer, until
 * idp.storage.sqlite.busyTimeout has passed. Then the request fails with STORAGE_BUSY (503, a
 * clear page), and nothing half-done is kept: the work must be one statement or one transaction.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { IdpError } from '../core/errors.js';

export interface BusyPolicy {
  /** How long to keep trying, in total, before giving up with STORAGE_BUSY. */
  readonly maxWaitMs: number;
  readonly now?: () => number;
}

const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 100;

/** SQLITE_BUSY and its extended codes (…_SNAPSHOT, …_RECOVERY, …_TIMEOUT), and SQLITE_LOCKED. */
export function isBusy(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return (
    typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
  );
}

/**
 * Runs synchronous SQLite work, retrying while the database is locked by someone else. `what`
 * names the work for the error message ("session store", "user directory" …). Errors other than
 * a lock are thrown unchanged, for the caller to wrap in its own error code.
 */
export async function retryWhileBusy<T>(
  work: () => T,
  policy: BusyPolicy,
  what: string,
): Promise<T> {
  const now = policy.now ?? Date.now;
  const deadline = now() + policy.maxWaitMs;
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    try {
      return work();
    } catch (err) {
      if (!isBusy(err)) throw err;
      const left = deadline - now();
      if (left <= 0) {
        throw new IdpError(
          'STORAGE_BUSY',
          `${what}: the database stayed locked by another process for ${policy.maxWaitMs} ms`,
          { cause: err },
        );
      }
      // Jitter keeps requests that met the same lock from retrying in lock step.
      await sleep(Math.min(left, pause * (0.5 + Math.random())));
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
    }
  }
}
