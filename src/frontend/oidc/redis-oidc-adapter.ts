/**
 * oidc-provider's persistence on a Redis shared by every IdP node, so that any step of an
 * authorization (interaction, resume, token, userinfo, introspection, logout) can land on any
 * node. The semantics are sqlite-oidc-adapter.ts's; the layout, under the configured prefix P:
 *
 *   P oidc:<model>:<id>            hash { payload: JSON, consumed: epoch seconds }  TTL expiresIn
 *   P oidc:uid:<model>:<uid>       the id of the entry with that uid (sessions)       TTL expiresIn
 *   P oidc:usercode:<model>:<code> the id of the entry with that user code            TTL expiresIn
 *   P oidc:grant:<grantId>         set of the entry keys issued under the grant       TTL ≥ its longest member
 *
 * Every key expires: Redis forgets what is no longer usable, nothing prunes. Consumption is one
 * atomic script: the first consume marks the entry, and a second consume of a code or refresh
 * token — two nodes redeeming the same code at once, both having read it unconsumed — finds the
 * mark, revokes the grant (as oidc-provider does for a replayed code) and is refused
 * (invalid_grant), so a code is redeemed once across the cluster. Revocation by grant is one script
 * too. The keys are not hash-tagged: one Redis (with replicas, or Sentinel), not Redis Cluster.
 * A Redis that fails or does not answer within timeoutMs throws SHARED_STORE_FAILED
 * (store-failures.ts answers it with a 503).
 */
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import {
  sharedStoreFailure,
  withDeadline,
  type RedisClient,
} from '../../storage/redis-connection.js';

/** The TTL of an entry oidc-provider saves without one (the IdP configures every lifetime, so none should be). */
const FALLBACK_TTL_S = 14 * 24 * 3600;

/** Models whose consumption redeems something: a second one is a replay. */
const REDEEMED = new Set(['AuthorizationCode', 'RefreshToken']);

/** Marks an existing entry consumed; returns its payload when it already was (a replay), else nil. */
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HEXISTS', KEYS[1], 'consumed') == 1 then return redis.call('HGET', KEYS[1], 'payload') end
redis.call('HSET', KEYS[1], 'consumed', ARGV[1])
return false`;

/** Deletes every entry issued under the grant, and the grant's set. */
const REVOKE = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(members) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return #members`;

/** What every model's adapter shares: the client, where its keys live, its deadline and clock. */
interface Shared {
  readonly client: RedisClient;
  readonly keyPrefix: string;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/** oidc-provider's adapter class (one instance per model) over the shared Redis. */
export function redisAdapterFactory(
  client: RedisClient,
  keyPrefix: string,
  timeoutMs: number,
  now: () => number = Date.now,
): new (model: string) => Adapter {
  const shared: Shared = { client, keyPrefix, timeoutMs, now };
  return class extends RedisOidcAdapter {
    constructor(model: string) {
      super(shared, model);
    }
  };
}

const grantKey = (shared: Shared, grantId: string) => `${shared.keyPrefix}oidc:grant:${grantId}`;

async function revoke(shared: Shared, grantId: string): Promise<void> {
  await shared.client.eval(REVOKE, { keys: [grantKey(shared, grantId)], arguments: [] });
}

class RedisOidcAdapter implements Adapter {
  constructor(
    private readonly shared: Shared,
    private readonly model: string,
  ) {}

  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const ms = (expiresIn || FALLBACK_TTL_S) * 1000;
    const key = this.key(id);
    const px = { expiration: { type: 'PX', value: ms } } as const;
    // One transaction: the entry, its lookups and its grant's set appear together.
    const tx = this.shared.client
      .multi()
      .hSet(key, 'payload', JSON.stringify(payload))
      .pExpire(key, ms);
    if (payload.uid) tx.set(this.index('uid', payload.uid), id, px);
    if (payload.userCode) tx.set(this.index('usercode', payload.userCode), id, px);
    if (payload.grantId) {
      const set = grantKey(this.shared, payload.grantId);
      // NX gives a new set its TTL, GT lengthens it for a longer-lived member, never shortens.
      tx.sAdd(set, key).pExpire(set, ms, 'NX').pExpire(set, ms, 'GT');
    }
    return this.guard(async () => void (await tx.exec()));
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.guard(() => this.read(id));
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.guard(() => this.readIndexed(this.index('uid', uid), 'uid', uid));
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.guard(() =>
      this.readIndexed(this.index('usercode', userCode), 'userCode', userCode),
    );
  }

  consume(id: string): Promise<void> {
    return this.guard(async () => {
      const replayed = (await this.shared.client.eval(CONSUME, {
        keys: [this.key(id)],
        arguments: [String(Math.floor(this.shared.now() / 1000))],
      })) as string | null;
      if (replayed === null || !REDEEMED.has(this.model)) return;
      const { grantId } = JSON.parse(replayed) as AdapterPayload;
      if (grantId) await revoke(this.shared, grantId);
      throw new errors.InvalidGrant(`${this.model} already consumed`);
    });
  }

  destroy(id: string): Promise<void> {
    return this.guard(async () => void (await this.shared.client.del(this.key(id))));
  }

  revokeByGrantId(grantId: string): Promise<void> {
    return this.guard(() => revoke(this.shared, grantId));
  }

  private key(id: string): string {
    return `${this.shared.keyPrefix}oidc:${this.model}:${id}`;
  }

  private index(kind: 'uid' | 'usercode', value: string): string {
    return `${this.shared.keyPrefix}oidc:${kind}:${this.model}:${value}`;
  }

  /** The entry, consumed (in seconds) once it has been. */
  private async read(id: string): Promise<AdapterPayload | undefined> {
    const entry = await this.shared.client.hGetAll(this.key(id));
    if (entry.payload === undefined) return undefined;
    const payload = JSON.parse(entry.payload) as AdapterPayload;
    return entry.consumed === undefined
      ? payload
      : { ...payload, consumed: Number(entry.consumed) };
  }

  /** The entry an index points at, if it still carries the value it was indexed by. */
  private async readIndexed(
    index: string,
    field: 'uid' | 'userCode',
    value: string,
  ): Promise<AdapterPayload | undefined> {
    const id = await this.shared.client.get(index);
    if (id === null) return undefined;
    const payload = await this.read(id);
    return payload?.[field] === value ? payload : undefined;
  }

  /** Within the deadline; a Redis failure as SHARED_STORE_FAILED, oidc-provider's own errors as they are. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work(), this.shared.timeoutMs);
    } catch (err) {
      if (err instanceof errors.OIDCProviderError) throw err;
      throw sharedStoreFailure('OIDC store', err);
    }
  }
}
