/**
 * The authorization records on a real redis-server: the contract the SQLite store meets
 * (authorization-records-contract.ts), one record read by another node, a TTL on every key that
 * follows the record's expiry, and a paused Redis failing with SHARED_STORE_FAILED.
 */
import { describe, expect, it } from 'vitest';
import { RedisAuthorizationRecords } from '../../../src/frontend/oidc/redis-authorization-records.js';
import { TIMEOUT_MS, ttlsUnder, useRedis } from '../../support/redis-test-client.js';
import { serversAvailable } from '../../support/system-servers.js';
import { authorizationRecordsContract, record } from './authorization-records-contract.js';

describe.runIf(serversAvailable('redis-server'))('RedisAuthorizationRecords', () => {
  const redis = useRedis();
  const { prefix } = redis;

  authorizationRecordsContract(
    async (now) =>
      new RedisAuthorizationRecords(await redis.connect(), prefix(), TIMEOUT_MS, () => now.t),
  );

  it('is read on another node, and its key expires with the record, later once prolonged', async () => {
    const p = prefix();
    const one = await redis.connect();
    const written = new RedisAuthorizationRecords(one, p, TIMEOUT_MS);
    const read = new RedisAuthorizationRecords(await redis.connect(), p, TIMEOUT_MS);
    const expiresAt = Date.now() + 60_000;
    await written.put(record('g1', expiresAt));
    expect(await read.get('g1')).toEqual(record('g1', expiresAt));
    const ttl = (await ttlsUnder(one, p)).get(`${p}oidc:authz:g1`)!;
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await read.extend('g1', expiresAt + 600_000);
    const ttls = await ttlsUnder(one, p);
    expect([...ttls.keys()]).toEqual([`${p}oidc:authz:g1`]);
    expect(ttls.get(`${p}oidc:authz:g1`)).toBeGreaterThan(600_000);
    expect(await written.get('g1')).toMatchObject({ expiresAt: expiresAt + 600_000 });
  });

  it('writes nothing for a record already expired', async () => {
    const p = prefix();
    const client = await redis.connect();
    await new RedisAuthorizationRecords(client, p, TIMEOUT_MS).put(record('g', Date.now() - 1));
    expect(await ttlsUnder(client, p)).toEqual(new Map());
  });

  it('fails with SHARED_STORE_FAILED while Redis is paused, and answers once it is back', async () => {
    const store = new RedisAuthorizationRecords(await redis.connect(), prefix(), TIMEOUT_MS);
    await store.put(record('g1', Date.now() + 60_000));
    redis.server.pause();
    await expect(store.get('g1')).rejects.toMatchObject({
      name: 'IdpError',
      code: 'SHARED_STORE_FAILED',
      status: 503,
    });
    await expect(store.put(record('g2', Date.now() + 60_000))).rejects.toMatchObject({
      code: 'SHARED_STORE_FAILED',
    });
    redis.server.resume();
    await expect
      .poll(() => store.get('g1').catch(() => 'failed'), { timeout: 5_000 })
      .toMatchObject({ subject: 'bob' });
  });
});
