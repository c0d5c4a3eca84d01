/**
 * The IdP session store on Redis (idp.storage.type = redis), so every node of a cluster sees the
 * same sessions: connect-redis, with the SQLite store's semantics (sqlite-session-store.ts):
 *
 * - each session is one key, `<prefix>session:<sid>`, written with its expiry (the cookie's, else
 *   idp.session.timeout) as the key's TTL: Redis removes expired sessions, no key lives for ever;
 * - a rolling touch only moves the TTL when that moves it by a minute or more, and is best effort:
 *   express-session holds the end of a written response until it answers, so a failing Redis
 *   makes the session end a little early (the safe side) instead of failing that response;
 * - any other failure, or no answer within idp.storage.redis.commandTimeout, is
 *   SHARED_STORE_FAILED: the 503 page.
 */
import { RedisStore } from 'connect-redis';
import type session from 'express-session';
import { sharedStoreCall, type RedisClient } from '../storage/redis-connection.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** As in the SQLite store: a touch that moves the expiry by less than this is skipped. */
const TOUCH_GRANULARITY_MS = 60_000;
/** Sessions whose stored expiry is remembered for that; beyond it the oldest are forgotten. */
const REMEMBERED_EXPIRIES = 100_000;

export class RedisSessionStore extends RedisStore {
  /** sid → the expiry last written, for skipping touches that change almost nothing. */
  private readonly storedExpiry = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly defaultTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super({
      client: redis,
      prefix: `${keyPrefix}session:`,
      // Seconds, as connect-redis takes it; 0 or less: connect-redis deletes the session.
      ttl: (data: session.SessionData) => Math.ceil((this.expiry(data) - this.now()) / 1000),
    });
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): Promise<void> {
    return this.answer(() => super.get(sid) as Promise<session.SessionData | null>, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): Promise<void> {
    const expires = this.expiry(data);
    return this.answer(async () => {
      await super.set(sid, data);
      this.remember(sid, expires);
    }, callback);
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): Promise<void> {
    const expires = this.expiry(data);
    const stored = this.storedExpiry.get(sid);
    const due = stored === undefined || expires - stored >= TOUCH_GRANULARITY_MS;
    // Best effort, answered at once (see above); the moved TTL is remembered only once written.
    callback?.();
    if (!due || expires <= this.now()) return Promise.resolve();
    return sharedStoreCall(this.redis, 'session store', () =>
      this.redis.pExpire(this.key(sid), expires - this.now()),
    ).then(
      (moved) => {
        if (moved) this.remember(sid, expires);
      },
      () => undefined,
    );
  }

  override destroy(sid: string, callback?: Callback): Promise<void> {
    this.storedExpiry.delete(sid);
    return this.answer(async () => void (await super.destroy(sid)), callback);
  }

  /** The Redis key of a session id (for tests and tools). */
  key(sid: string): string {
    return `${this.prefix}${sid}`;
  }

  /**
   * connect-redis's work within the command deadline, answered through express-session's
   * callback, or — called without one, as connect-redis's set calls destroy — as a promise.
   */
  private async answer<T>(work: () => Promise<T>, callback: Callback<T> | undefined) {
    let value: T;
    try {
      value = await sharedStoreCall(this.redis, 'session store', work);
    } catch (err) {
      if (!callback) throw err;
      return callback(err);
    }
    callback?.(undefined, value);
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
}
