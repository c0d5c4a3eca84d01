/**
 * The Redis session store on a real redis-server, with the SQLite store's semantics: sessions
 * round-trip with their expiry as the key's TTL, a rolling touch only moves the TTL by a minute or
 * more, destroy removes the key, a session already expired is not written, and a Redis that does
 * not answer makes get/set fail with SHARED_STORE_FAILED but never a touch.
 */
import type session from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../../src/session/redis-session-store.js';
import { closeRedisConnection } from '../../src/storage/redis-connection.js';
import { connectTestClient, freshPrefix, type TestRedisClient } from '../support/redis-client.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { serversAvailable } from '../support/system-servers.js';

const HOUR = 3_600_000;

const call = <T>(fn: (cb: (err?: unknown, value?: T) => void) => unknown) =>
  new Promise<T | undefined>((resolve, reject) => {
    fn((err, value) =>
      err ? reject(err instanceof Error ? err : new Error('store failed')) : resolve(value),
    );
  });

const data = (expires: number) =>
  ({
    cookie: { expires: new Date(expires), originalMaxAge: HOUR },
    createdAt: 1,
  }) as unknown as session.SessionData;

describe.runIf(serversAvailable('redis-server'))('RedisSessionStore', () => {
  let server: RedisServer;
  let c: TestRedisClient;
  beforeAll(async () => {
    server = await startRedis();
    c = await connectTestClient(server);
  });
  afterAll(async () => {
    if (c) await closeRedisConnection(c.client);
    await server?.stop();
  });

  it('stores and reads back a session, with its expiry as the TTL; destroy removes it', async () => {
    const store = new RedisSessionStore(c.client, freshPrefix(), HOUR);
    await call((cb) => store.set('a', data(Date.now() + HOUR), cb));
    expect(await call((cb) => store.get('a', cb))).toMatchObject({ createdAt: 1 });
    const ttl = await c.client.pTTL(store.key('a'));
    expect(ttl).toBeGreaterThan(HOUR - 60_000);
    expect(ttl).toBeLessThanOrEqual(HOUR);
    await call((cb) => store.destroy('a', cb));
    expect(await call((cb) => store.get('a', cb))).toBeNull();
    expect(await c.client.exists(store.key('a'))).toBe(0);
  });

  it('gives a session without a cookie expiry idp.session.timeout', async () => {
    const store = new RedisSessionStore(c.client, freshPrefix(), 10 * 60_000);
    await call((cb) => store.set('a', { cookie: {} } as unknown as session.SessionData, cb));
    const ttl = await c.client.pTTL(store.key('a'));
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
  });

  it('does not write a session that has already expired', async () => {
    const store = new RedisSessionStore(c.client, freshPrefix(), HOUR);
    await call((cb) => store.set('a', data(Date.now() - 1000), cb));
    expect(await c.client.exists(store.key('a'))).toBe(0);
  });

  it('moves the TTL on a touch only when that moves it by a minute or more', async () => {
    const clock = { now: Date.now() };
    const store = new RedisSessionStore(c.client, freshPrefix(), HOUR, () => clock.now);
    await call((cb) => store.set('a', data(clock.now + 10 * 60_000), cb));
    const ttl = () => c.client.pTTL(store.key('a'));

    await store.touch('a', data(clock.now + 10 * 60_000 + 30_000));
    expect(await ttl(), 'a touch 30 s later is not written').toBeLessThanOrEqual(10 * 60_000);

    await store.touch('a', data(clock.now + 10 * 60_000 + 75_000));
    expect(await ttl(), 'a touch 75 s later is').toBeGreaterThan(10 * 60_000);
  });

  it('fails get and set with SHARED_STORE_FAILED while Redis does not answer; a touch still answers', async () => {
    const store = new RedisSessionStore(c.client, freshPrefix(), HOUR);
    await call((cb) => store.set('a', data(Date.now() + HOUR), cb));
    server.pause();
    try {
      await expect(call((cb) => store.get('a', cb))).rejects.toMatchObject({
        code: 'SHARED_STORE_FAILED',
      });
      await expect(call((cb) => store.set('b', data(Date.now() + HOUR), cb))).rejects.toMatchObject(
        { code: 'SHARED_STORE_FAILED' },
      );
      await expect(call((cb) => store.touch('a', data(Date.now() + 2 * HOUR), cb))).resolves.toBe(
        undefined,
      );
    } finally {
      server.resume();
    }
    expect(await call((cb) => store.get('a', cb))).toMatchObject({ createdAt: 1 });
  });
});
