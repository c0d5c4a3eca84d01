/**
 * Cluster-wide policy reloads and the node list, against a real redis-server: two memberships on
 * two connections stand for two nodes.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReloadCaller, ReloadResult, ReloadTrigger } from '../../src/access/reload-report.js';
import type { ReloadableAccessControl } from '../../src/access/reloadable-access-control.js';
import { joinCluster } from '../../src/cluster/cluster.js';
import type { RedisClient } from '../../src/storage/redis-connection.js';
import { createProcessLog } from '../../src/logging/process-log.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { serversAvailable } from '../support/system-servers.js';

/** An access-control service that only counts reloads and says what it was asked. */
function fakeAccessControl() {
  let generation = 1;
  const calls: { trigger: ReloadTrigger; caller: ReloadCaller }[] = [];
  const lastReload = (): ReloadResult => ({
    ok: true,
    trigger: calls.at(-1)?.trigger ?? 'startup',
    at: new Date().toISOString(),
    durationMs: 1,
    generation,
  });
  const service = {
    status: () => ({ generation, lastReload: lastReload() }),
    reload: (trigger: ReloadTrigger, caller: ReloadCaller) => {
      calls.push({ trigger, caller });
      generation += 1;
      return Promise.resolve(lastReload());
    },
  } as unknown as ReloadableAccessControl;
  return { service, calls };
}

const SECRET = 'the session secret every node shares';

/** A request's MAC as a node computes it (written out here, so the test does not trust the code it tests). */
function sign(r: { id: string; fromNode: string; user: string; at: number }, secret = SECRET) {
  const key = createHmac('sha256', secret).update('idp cluster policy reload').digest();
  return createHmac('sha256', key)
    .update(JSON.stringify([r.id, r.fromNode, r.user, r.at]))
    .digest('base64url');
}

const log = createProcessLog({
  file: path.join(mkdtempSync(path.join(tmpdir(), 'cluster-')), 'process.log'),
  fileLevel: 'DEBUG',
  consoleLevel: 'ERROR',
  console: false,
});

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(serversAvailable('redis-server'))('a cluster over Redis', () => {
  let redis: RedisServer;
  const clients: RedisClient[] = [];
  const connect = async () => {
    const c: RedisClient = createClient({ url: redis.url });
    c.on('error', () => {});
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) if (c.isOpen) c.destroy();
    await redis?.stop();
  });

  async function twoNodes(prefix: string) {
    const a = fakeAccessControl();
    const b = fakeAccessControl();
    const node1 = await joinCluster({
      client: await connect(),
      keyPrefix: prefix,
      node: 'node1',
      secret: SECRET,
      accessControl: a.service,
      log,
      heartbeatMs: 200,
    });
    const node2 = await joinCluster({
      client: await connect(),
      keyPrefix: prefix,
      node: 'node2',
      secret: SECRET,
      accessControl: b.service,
      log,
      heartbeatMs: 200,
    });
    return { node1, node2, a, b };
  }

  it('reloads every node on one request, each audited with its id and the node that asked', async () => {
    const { node1, node2, a, b } = await twoNodes('t1:');
    try {
      const { result, cluster } = await node1.reloadAll({ user: 'admin' });
      expect(result.ok).toBe(true);
      expect('heardBy' in cluster && cluster.heardBy).toBe(2);
      await until(() => b.calls.length === 1);
      expect(a.calls).toEqual([
        {
          trigger: 'api',
          caller: { user: 'admin', clusterRequest: { id: cluster.id, fromNode: 'node1' } },
        },
      ]);
      expect(b.calls).toEqual([
        {
          trigger: 'cluster',
          caller: { user: 'admin', clusterRequest: { id: cluster.id, fromNode: 'node1' } },
        },
      ]);
      // node1 heard its own announcement and did not reload twice.
      await new Promise((r) => setTimeout(r, 100));
      expect(a.calls).toHaveLength(1);
      await until(async () => (await node1.nodes()).every((n) => n.generation === 2));
      expect((await node1.nodes()).map((n) => [n.node, n.generation])).toEqual([
        ['node1', 2],
        ['node2', 2],
      ]);
    } finally {
      await node1.close();
      await node2.close();
    }
  });

  it('lists each live node: one that leaves is gone at once, one that dies within three beats', async () => {
    const { node1, node2 } = await twoNodes('t2:');
    const a3 = fakeAccessControl();
    const c3 = await connect();
    const node3 = await joinCluster({
      client: c3,
      keyPrefix: 't2:',
      node: 'node3',
      secret: SECRET,
      accessControl: a3.service,
      log,
      heartbeatMs: 200,
    });
    try {
      expect((await node2.nodes()).map((n) => n.node)).toEqual(['node1', 'node2', 'node3']);
      await node1.close();
      expect((await node2.nodes()).map((n) => n.node)).toEqual(['node2', 'node3']);
      c3.destroy(); // node3 dies: no goodbye, no more beats
      await until(async () => (await node2.nodes()).length === 1, 3000);
      expect((await node2.nodes()).map((n) => n.node)).toEqual(['node2']);
    } finally {
      await node2.close();
      await node3.close();
    }
  });

  it('acts only on a request signed with the IdP key, fresh and new: never on junk, forgeries or replays', async () => {
    const { node1, node2, a, b } = await twoNodes('t3:');
    try {
      const other = await connect();
      const publish = (m: string) => other.publish('t3:cluster:policy-reload', m);
      const now = Date.now();
      const forged = { id: 'f1', fromNode: 'node9', user: 'admin', at: now };
      for (const junk of [
        '',
        'not json',
        '{"id":"x"}',
        JSON.stringify({ id: 'a b', fromNode: 'n', user: '', at: now, mac: 'x' }),
        'x'.repeat(5000),
        JSON.stringify(forged), // unsigned
        JSON.stringify({ ...forged, mac: sign(forged, 'another IdP secret') }),
        JSON.stringify({
          ...forged,
          at: now - 120_000,
          mac: sign({ ...forged, at: now - 120_000 }),
        }),
      ])
        await publish(junk);
      const good = { id: 'ok1', fromNode: 'node9', user: 'eve', at: Date.now() };
      await publish(JSON.stringify({ ...good, mac: sign(good) }));
      await until(() => a.calls.length === 1 && b.calls.length === 1);
      expect(a.calls[0]!.caller).toEqual({
        user: 'eve',
        clusterRequest: { id: 'ok1', fromNode: 'node9' },
      });
      await publish(JSON.stringify({ ...good, mac: sign(good) })); // the same request again
      await new Promise((r) => setTimeout(r, 200));
      expect([a.calls.length, b.calls.length]).toEqual([1, 1]);
    } finally {
      await node1.close();
      await node2.close();
    }
  });

  it('keeps every key it writes on a TTL', async () => {
    const { node1, node2 } = await twoNodes('t4:');
    try {
      const c = await connect();
      const keys = await c.keys('t4:*');
      expect(keys.sort()).toEqual([
        't4:cluster:node:node1',
        't4:cluster:node:node2',
        't4:cluster:nodes',
      ]);
      for (const k of keys) expect(await c.pTTL(k)).toBeGreaterThan(0);
    } finally {
      await node1.close();
      await node2.close();
    }
  });

  it('reloads this node and says the others were not asked when Redis is gone', async () => {
    const { node1, node2, a } = await twoNodes('t5:');
    try {
      redis.pause();
      const c = clients[clients.length - 2]!; // node1's connection
      c.destroy();
      const { result, cluster } = await node1.reloadAll({ user: 'admin' });
      expect(result.ok).toBe(true);
      expect(a.calls).toHaveLength(1);
      expect('error' in cluster).toBe(true);
    } finally {
      redis.resume();
      await node1.close();
      await node2.close();
    }
  });
});
