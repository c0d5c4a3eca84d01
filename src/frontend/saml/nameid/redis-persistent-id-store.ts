/**
 * PersistentIdStore on the Redis the IdP nodes share: one string per IdP, SP namespace and
 * account, P saml:pid:<JSON [idp, sp, principal]>, created with SET NX GET so that two first
 * releases on two nodes at once store one identifier and both return it. A Redis that fails or
 * does not answer within timeoutMs throws PERSISTENT_ID_STORE_FAILED.
 *
 * These are the one kind of key the IdP writes to Redis without a TTL: a persistent NameID is
 * permanent by definition (Shibboleth's shibpid table) — losing it gives the account a new
 * identifier at every SP, which then no longer recognises the account. A deployment that keeps
 * them here needs Redis persistence (appendonly yes, backed up) and must not run Redis with an
 * eviction policy other than noeviction; one that cannot should keep persistent IDs in a database
 * (docs/architecture.md, "Where state lives").
 */
import { randomBytes } from 'node:crypto';
import { IdpError } from '../../../core/errors.js';
import { withDeadline, type RedisClient } from '../../../storage/redis-connection.js';
import type { PersistentIdKey, PersistentIdStore } from './persistent-id-store.js';

export class RedisPersistentIdStore implements PersistentIdStore {
  constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
    private readonly timeoutMs: number,
  ) {}

  find(key: PersistentIdKey): Promise<string | undefined> {
    return this.guard(async () => (await this.client.get(this.key(key))) ?? undefined);
  }

  findOrCreate(key: PersistentIdKey): Promise<string> {
    // 160 random bits, URL-safe base64, as the SQLite store makes them.
    const id = randomBytes(20).toString('base64url');
    return this.guard(async () => {
      const earlier = await this.client.set(this.key(key), id, { condition: 'NX', GET: true });
      return earlier ?? id;
    });
  }

  /** JSON of the three parts: no separator that an entity ID or account name could contain. */
  private key({ idp, sp, principal }: PersistentIdKey): string {
    return `${this.keyPrefix}saml:pid:${JSON.stringify([idp, sp, principal])}`;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work(), this.timeoutMs);
    } catch (err) {
      throw new IdpError(
        'PERSISTENT_ID_STORE_FAILED',
        `persistent identifier store (Redis) failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
