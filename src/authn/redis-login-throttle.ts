/**
 * The LoginThrottle on Redis (idp.storage.type = redis): every node of a cluster counts the same
 * failures, with the rules of login-throttle.ts and the SQLite store's behaviour
 * (sqlite-login-throttle.ts). Two sorted sets per account, scored by the time of each failure:
 *
 *   <prefix>login-failures:{<account>}:<address>   one member per failure from that address
 *   <prefix>login-failures:{<account>}             the same failures, as "<address>\n<id>"
 *
 * Checking the limits and counting the attempt is one Lua script, so it is atomic across nodes: a
 * burst of posts spread over the cluster still gets no more guesses than the limit. Each script
 * first drops the failures older than idp.login.failureWindow, and every key expires a window
 * after its newest failure. The account name is URI-encoded (so no ':' can make two accounts'
 * keys meet) and in braces: a Redis Cluster keeps an account's keys in one slot.
 */
import { randomBytes } from 'node:crypto';
import { sharedStoreCall, type RedisClient } from '../storage/redis-connection.js';
import type { Lockout, LoginThrottle, ThrottleLimits } from './login-throttle.js';

/**
 * KEYS: the address's set, the account's set. ARGV: now, window (ms), maxFailures,
 * maxFailuresPerAccount, a fresh id, the address. Returns the lockout, or false when counted.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local since = now - window
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', since)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', since)
local maxFailures = tonumber(ARGV[3])
local maxPerAccount = tonumber(ARGV[4])
if maxFailures > 0 and redis.call('ZCARD', KEYS[1]) >= maxFailures then return 'address' end
if maxPerAccount > 0 and redis.call('ZCARD', KEYS[2]) >= maxPerAccount then return 'account' end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[6] .. '\\n' .. ARGV[5])
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[2], window)
return false
`;

/** KEYS: the address's set, the account's set. ARGV: the address. Forgets the address's failures. */
const CLEAR = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, id in ipairs(ids) do redis.call('ZREM', KEYS[2], ARGV[1] .. '\\n' .. id) end
redis.call('DEL', KEYS[1])
return #ids
`;

export class RedisLoginThrottle implements LoginThrottle {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.prefix = `${keyPrefix}login-failures:`;
  }

  async begin(username: string, address: string): Promise<Lockout | undefined> {
    const { maxFailures, maxFailuresPerAccount, windowMs } = this.limits;
    const lockout = await sharedStoreCall(this.redis, 'login throttle', () =>
      this.redis.eval(RESERVE, {
        keys: this.keys(username, address),
        arguments: [
          String(this.now()),
          String(windowMs),
          String(maxFailures),
          String(maxFailuresPerAccount),
          randomBytes(9).toString('base64url'),
          address,
        ],
      }),
    );
    return lockout === 'address' || lockout === 'account' ? lockout : undefined;
  }

  async clear(username: string, address: string): Promise<void> {
    await sharedStoreCall(this.redis, 'login throttle', () =>
      this.redis.eval(CLEAR, { keys: this.keys(username, address), arguments: [address] }),
    );
  }

  /** The address's key and the account's key. */
  keys(username: string, address: string): [string, string] {
    const account = `${this.prefix}{${encodeURIComponent(username)}}`;
    return [`${account}:${address}`, account];
  }
}
