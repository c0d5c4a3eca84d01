/**
 * The Redis PersistentIdStore on a real redis-server: one opaque identifier per IdP, SP and
 * account, the same from every node even when two nodes release it first at once, kept without a
 * TTL (persistent NameIDs are permanent), and a paused Redis failing with
 * PERSISTENT_ID_STORE_FAILED.
 */
import { describe, expect, it } from 'vitest';
import { RedisPersistentIdStore } from '../../../../src/frontend/saml/nameid/redis-persistent-id-store.js';
import { TIMEOUT_MS, ttlsUnder, useRedis } from '../../../support/redis-test-client.js';
import { serversAvailable } from '../../../support/system-servers.js';

const KEY = { idp: 'https://idp.example.org', sp: 'https://sp.example.org', principal: 'bob' };

describe.runIf(serversAvailable('redis-server'))('RedisPersistentIdStore', () => {
  const redis = useRedis();
  const { prefix } = redis;

  it('creates an opaque identifier once, finds it after, per IdP, SP and account, with no TTL', async () => {
    const p = prefix();
    const client = await redis.connect();
    const store = new RedisPersistentIdStore(client, p, TIMEOUT_MS);
    expect(await store.find(KEY)).toBeUndefined();
    const id = await store.findOrCreate(KEY);
    expect(id).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(id).not.toContain('bob');
    expect(await store.findOrCreate(KEY)).toBe(id);
    expect(await store.find(KEY)).toBe(id);
    const others = [
      { ...KEY, sp: 'https://other.example.org' },
      { ...KEY, principal: 'alice' },
      { ...KEY, idp: 'https://idp2.example.org' },
    ];
    for (const other of others) expect(await store.findOrCreate(other)).not.toBe(id);
    const ttls = await ttlsUnder(client, p);
    expect(ttls.size).toBe(4);
    // The one exception to "every key has a TTL": a persistent NameID is permanent.
    for (const ttl of ttls.values()) expect(ttl).toBe(-1);
  });

  it('keeps the parts of the key apart, whatever characters they hold', async () => {
    const store = new RedisPersistentIdStore(await redis.connect(), prefix(), TIMEOUT_MS);
    const one = await store.findOrCreate({ idp: 'a', sp: 'b:c', principal: 'd' });
    const two = await store.findOrCreate({ idp: 'a', sp: 'b', principal: 'c:d' });
    expect(one).not.toBe(two);
  });

  it('gives two nodes releasing it first at once the same identifier', async () => {
    const p = prefix();
    const nodes = await Promise.all(
      [1, 2, 3, 4].map(
        async () => new RedisPersistentIdStore(await redis.connect(), p, TIMEOUT_MS),
      ),
    );
    for (let round = 0; round < 20; round++) {
      const key = { ...KEY, principal: `user${round}` };
      const ids = await Promise.all(nodes.map((n) => n.findOrCreate(key)));
      expect(new Set(ids).size).toBe(1);
      expect(await nodes[0]!.find(key)).toBe(ids[0]);
    }
  });

  it('fails with PERSISTENT_ID_STORE_FAILED while Redis is paused', async () => {
    const store = new RedisPersistentIdStore(await redis.connect(), prefix(), TIMEOUT_MS);
    const id = await store.findOrCreate(KEY);
    redis.server.pause();
    await expect(store.findOrCreate(KEY)).rejects.toMatchObject({
      name: 'IdpError',
      code: 'PERSISTENT_ID_STORE_FAILED',
      status: 503,
    });
    redis.server.resume();
    await expect.poll(() => store.find(KEY).catch(() => 'failed'), { timeout: 5_000 }).toBe(id);
  });
});
