/**
 * The IdP session store on Redis (idp.storage.type = redis), so every node of a cluster sees the
 * same sessions: connect-redis, with the SQLite store's semantics (sqlite-session-store.ts):
 *
 * - each session is one key, `<prefix>session:<sid>`, written with its expiry (the cookie's, else
 *   idp.session.timeout) as the key's TTL: Redis removes expired sessions, no key lives for ever;
 * - a rolling touch only moves the TTL when that moves it by a minute or more, and is best effort:
 *   express-session holds the end of a written response until it answers, so a failing Redis
 *   makes the session end a little early (the safe side) instead of failing that response;
 * - any other failure (Redis down, too slow, refusing) is SHARED_STORE_FAILED: the 503 page.
 */
import { RedisStore } from 'connect-redis';
import type session from 'express-session';
import { sharedStoreFailure, type RedisClient } from '../storage/redis-connection.js';

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
      // Seconds, as connect-redis takes it; a session whose cookie has no expiry gets this.
      ttl: (data: session.SessionData) => Math.ceil((this.expiry(data) - this.now()) / 1000),
    });
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): Promise<unknown> {
    return super.get(sid, failuresAsIdpErrors('session store get', callback));
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): Promise<unknown> {
    const expires = this.expiry(data);
    return super.set(sid, data, (err?: unknown) => {
      if (!err) this.remember(sid, expires);
      failuresAsIdpErrors('session store set', callback)(err);
    });
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): Promise<unknown> {
    const expires = this.expiry(data);
    const stored = this.storedExpiry.get(sid);
    const due = stored === undefined || expires - stored >= TOUCH_GRANULARITY_MS;
    // Best effort, answered at once (see above); the moved TTL is remembered only once written.
    callback?.();
    if (!due || expires <= this.now()) return Promise.resolve();
    return this.redis.pExpire(this.key(sid), expires - this.now()).then(
      (moved) => {
        if (moved) this.remember(sid, expires);
      },
      () => undefined,
    );
  }

  override destroy(sid: string, callback?: Callback): Promise<unknown> {
    this.storedExpiry.delete(sid);
    return super.destroy(sid, failuresAsIdpErrors('session store destroy', callback));
  }

  /** The Redis key of a session id (for tests and tools). */
  key(sid: string): string {
    return `${this.prefix}${sid}`;
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

function failuresAsIdpErrors<T>(what: string, callback: Callback<T> | undefined): Callback<T> {
  return (err, value) => callback?.(err ? sharedStoreFailure(what, err) : undefined, value);
}
