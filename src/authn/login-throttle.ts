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
 * who signs in does not wipe out what other addresses have tried.
 *
 * Implementations: sqlite-login-throttle.ts (the default: one node, kept across restarts) and
 * redis-login-throttle.ts (idp.storage.type = redis: every node of a cluster counts together).
 * Both calls are async: a store may have to wait for a lock or a network round trip.
 */

export interface ThrottleLimits {
  /** Per (account, address); 0 = no limit. */
  readonly maxFailures: number;
  /** Per account across all addresses; 0 = no limit. */
  readonly maxFailuresPerAccount: number;
  readonly windowMs: number;
}

/** Which limit an attempt is refused by. */
export type Lockout = 'address' | 'account';

export interface LoginThrottle {
  /**
   * A login attempt for this account from this address: refused (and by which limit) when the
   * limits are reached; otherwise counted as a failure now, until clear() says it succeeded.
   */
  begin(username: string, address: string): Promise<Lockout | undefined>;
  /** After a successful login: forget this (account, address) pair's failures. */
  clear(username: string, address: string): Promise<void>;
}
