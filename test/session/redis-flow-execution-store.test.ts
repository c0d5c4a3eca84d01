/**
 * Flow executions on a real redis-server: a saved execution is taken once, by its own session
 * only (another session's take neither gets nor burns it), expires with its TTL, and two IdP
 * nodes (two connections) racing for one execution get it exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileRequestContext } from '../../src/core/request-context.js';
import { RedisFlowExecutionStore } from '../../src/session/redis-flow-execution-store.js';
import { closeRedisConnection } from '../../src/storage/redis-connection.js';
import { connectTestClient, freshPrefix, type TestRedisClient } from '../support/redis-client.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { serversAvailable } from '../support/system-servers.js';

const context = { stage: 'new', relyingPartyId: 'sp' } as unknown as ProfileRequestContext;
const execution = (sessionId: string) => ({
  sessionId,
  csrfToken: 'csrf',
  view: 'login',
  context,
});

describe.runIf(serversAvailable('redis-server'))('RedisFlowExecutionStore', () => {
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

  it('gives a saved execution back once, to its own session, with its TTL', async () => {
    const store = new RedisFlowExecutionStore(nodeA.client, freshPrefix());
    const key = await store.save(execution('s1'), 60_000);
    const ttl = await nodeA.client.pTTL(store.key(key));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.take(key, 's1')).toEqual({ key, ...execution('s1') });
    expect(await store.take(key, 's1'), 'a replay finds nothing').toBeUndefined();
    expect(await nodeA.client.exists(store.key(key))).toBe(0);
  });

  it("neither gives nor burns an execution for another session's take", async () => {
    const store = new RedisFlowExecutionStore(nodeA.client, freshPrefix());
    const key = await store.save(execution('s1'), 60_000);
    expect(await store.take(key, 's2')).toBeUndefined();
    expect(await store.take(key, 's')).toBeUndefined(); // a prefix of the right one
    expect(await store.take(key, '')).toBeUndefined();
    expect(await store.take(key, 's1')).toMatchObject({ key, sessionId: 's1', view: 'login' });
  });

  it('finds nothing once the TTL has passed', async () => {
    const store = new RedisFlowExecutionStore(nodeA.client, freshPrefix());
    const key = await store.save(execution('s1'), 1);
    await expect.poll(() => nodeA.client.exists(store.key(key))).toBe(0);
    expect(await store.take(key, 's1')).toBeUndefined();
  });

  it('lets exactly one of two nodes racing for an execution have it', async () => {
    const prefix = freshPrefix();
    const a = new RedisFlowExecutionStore(nodeA.client, prefix);
    const b = new RedisFlowExecutionStore(nodeB.client, prefix);
    for (let round = 0; round < 50; round++) {
      const key = await a.save(execution('s1'), 60_000);
      const takes = await Promise.all([
        a.take(key, 's1'),
        b.take(key, 's1'),
        b.take(key, 's1'),
        a.take(key, 's1'),
      ]);
      expect(takes.filter((t) => t !== undefined)).toHaveLength(1);
    }
  });

  it('fails with SHARED_STORE_FAILED while Redis does not answer, and works once it does', async () => {
    const store = new RedisFlowExecutionStore(nodeA.client, freshPrefix());
    const key = await store.save(execution('s1'), 60_000);
    server.pause();
    try {
      await expect(store.take(key, 's1')).rejects.toMatchObject({ code: 'SHARED_STORE_FAILED' });
      await expect(store.save(execution('s1'), 60_000)).rejects.toMatchObject({
        code: 'SHARED_STORE_FAILED',
        status: 503,
      });
    } finally {
      server.resume();
    }
    // The take that timed out was already sent: Redis ran it on continuing, before anything sent
    // later on the connection. The form is used up, never handed out a second time.
    expect(await store.take(key, 's1')).toBeUndefined();
    expect(await nodeA.client.ping()).toBe('PONG');
  });
});
