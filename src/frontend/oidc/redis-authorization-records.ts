/**
 * AuthorizationRecords on the Redis the IdP nodes share: the record written on the node that
 * finished the authorization is read by whichever node redeems the code, refreshes or answers
 * userinfo. One hash per grant, P oidc:authz:<grantId> { record: JSON, expiresAt: ms }, that
 * expires with the record (PXAT expiresAt); extend lengthens it in one script, never shortens it.
 * A Redis that fails or does not answer within timeoutMs throws SHARED_STORE_FAILED.
 */
import { withDeadline, type RedisClient } from '../../storage/redis-connection.js';
import type { AuthorizationRecord, AuthorizationRecords } from './authorization-records.js';
import { sharedStoreFailure } from '../../storage/redis-connection.js';

/** Moves a kept record's expiry later (only later), in the hash and as the key's TTL. */
const EXTEND = `
local current = redis.call('HGET', KEYS[1], 'expiresAt')
if not current or tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'expiresAt', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1`;

export class RedisAuthorizationRecords implements AuthorizationRecords {
  constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  put(record: AuthorizationRecord): Promise<void> {
    if (record.expiresAt <= this.now()) return Promise.resolve();
    const key = this.key(record.grantId);
    return this.guard(async () => {
      await this.client
        .multi()
        .del(key)
        .hSet(key, { record: JSON.stringify(record), expiresAt: String(record.expiresAt) })
        .pExpireAt(key, record.expiresAt)
        .exec();
    });
  }

  get(grantId: string | undefined): Promise<AuthorizationRecord | undefined> {
    if (!grantId) return Promise.resolve(undefined);
    return this.guard(async () => {
      const kept = await this.client.hGetAll(this.key(grantId));
      if (kept.record === undefined || kept.expiresAt === undefined) return undefined;
      const expiresAt = Number(kept.expiresAt);
      // Redis expires keys within a millisecond or so; the record's own expiry is the rule.
      if (expiresAt <= this.now()) return undefined;
      return { ...(JSON.parse(kept.record) as AuthorizationRecord), expiresAt };
    });
  }

  extend(grantId: string, expiresAt: number): Promise<void> {
    return this.guard(async () => {
      await this.client.eval(EXTEND, {
        keys: [this.key(grantId)],
        arguments: [String(expiresAt)],
      });
    });
  }

  private key(grantId: string): string {
    return `${this.keyPrefix}oidc:authz:${grantId}`;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work(), this.timeoutMs);
    } catch (err) {
      throw sharedStoreFailure('OIDC authorization records', err);
    }
  }
}
