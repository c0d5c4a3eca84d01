/**
 * The Redis login throttle on a real redis-server, with the SQLite throttle's rules
 * (login-throttle.ts): the per (account, address) and per account limits over the window, a
 * success clearing only its own pair, failures ageing out, keys that expire with the window, and
 * a burst of attempts spread over two nodes that gets no more guesses than the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLoginThrottle } from '../../src/authn/redis-login-throttle.js';
import { closeRedisConnection } from '../../src/storage/redis-connection.js';
import { connectTestClient, freshPrefix, type TestRedisClient } from '../support/redis-client.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { serversAvailable } from '../support/system-servers.js';

const WINDOW = 5 * 60_000;
const LIMITS = { maxFailures: 3, maxFailuresPerAccount: 5, windowMs: WINDOW };

describe.runIf(serversAvailable('redis-server'))('RedisLoginThrottle', () => {
  let server: RedisServer;
  let nodeA: TestRedisClient;
  let nodeB: TestRedisClient;
  beforeAll(async () => {
    server = await startRedis();
    nodeA = await connectTestClient(server);
    nodeB = await connectTestClient(server);
  });
  afterAll(async () => {
    for (const n of [nodeA, nodeB]) if (n) await closeRedisConnection(n.client);
    await server?.stop();
  });

  it('refuses an account from an address after maxFailures, but not from another address', async () => {
    const t = new RedisLoginThrottle(nodeA.client, freshPrefix(), LIMITS);
    for (let i = 0; i < 3; i++) expect(await t.begin('bob', '10.0.0.1')).toBeUndefined();
    expect(await t.begin('bob', '10.0.0.1')).toBe('address');
    expect(await t.begin('bob', '10.0.0.2')).toBeUndefined();
    expect(await t.begin('carol', '10.0.0.1'), 'another account').toBeUndefined();
  });

  it('refuses the account everywhere after maxFailuresPerAccount from all addresses', async () => {
    const t = new RedisLoginThrottle(nodeA.client, freshPrefix(), LIMITS);
    for (let i = 0; i < 2; i++) await t.begin('dave', '10.0.0.1');
    for (let i = 0; i < 2; i++) await t.begin('dave', '10.0.0.2');
    expect(await t.begin('dave', '10.0.0.3')).toBeUndefined(); // the fifth
    expect(await t.begin('dave', '10.0.0.4')).toBe('account');
    expect(await t.begin('erin', '10.0.0.4')).toBeUndefined();
  });

  it("clears only the signed-in pair's failures, from both counters", async () => {
    const t = new RedisLoginThrottle(nodeA.client, freshPrefix(), LIMITS);
    for (let i = 0; i < 2; i++) await t.begin('frank', '10.0.0.1');
    for (let i = 0; i < 3; i++) await t.begin('frank', '10.0.0.2');
    expect(await t.begin('frank', '10.0.0.2')).toBe('address');
    await t.clear('frank', '10.0.0.1');
    // 10.0.0.2 is still locked; the account has 3 failures left in its count, so 2 more pass.
    expect(await t.begin('frank', '10.0.0.2')).toBe('address');
    expect(await t.begin('frank', '10.0.0.1')).toBeUndefined();
    expect(await t.begin('frank', '10.0.0.3')).toBeUndefined();
    expect(await t.begin('frank', '10.0.0.4')).toBe('account');
  });

  it('forgets failures older than the window', async () => {
    const clock = { now: Date.now() };
    const t = new RedisLoginThrottle(nodeA.client, freshPrefix(), LIMITS, () => clock.now);
    for (let i = 0; i < 3; i++) await t.begin('gina', '10.0.0.1');
    expect(await t.begin('gina', '10.0.0.1')).toBe('address');
    clock.now += WINDOW;
    expect(await t.begin('gina', '10.0.0.1')).toBeUndefined();
  });

  it('writes keys that expire with the window, and keeps account names from meeting', async () => {
    const t = new RedisLoginThrottle(nodeA.client, freshPrefix(), LIMITS);
    await t.begin('a:b', 'c');
    await t.begin('a', 'b:c');
    for (const key of [...t.keys('a:b', 'c'), ...t.keys('a', 'b:c')]) {
      const ttl = await nodeA.client.pTTL(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(WINDOW);
      expect(await nodeA.client.zCard(key), key).toBe(1);
    }
  });

  it('lets a burst spread over two nodes have no more guesses than the limit', async () => {
    const prefix = freshPrefix();
    const nodes = [nodeA, nodeB].map((n) => new RedisLoginThrottle(n.client, prefix, LIMITS));
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => nodes[i % 2]!.begin('henry', '10.0.0.1')),
    );
    expect(answers.filter((a) => a === undefined)).toHaveLength(3);
    expect(answers.filter((a) => a === 'address')).toHaveLength(9);
  });

  it('fails with SHARED_STORE_FAILED while Redis does not answer', async () => {
    const t = new RedisLoginThrottle(nodeA.client, freshPrefix(), LIMITS);
    server.pause();
    try {
      await expect(t.begin('ivan', '10.0.0.1')).rejects.toMatchObject({
        code: 'SHARED_STORE_FAILED',
      });
    } finally {
      server.resume();
    }
  });
});
