/**
 * node-redis clients for tests of the shared stores, connected to a test redis-server, and the
 * short deadline the tests give the stores, so that a paused Redis ends an operation with an error
 * quickly (the composition root passes the configured one). closeAll() closes every client opened.
 */
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from './redis-server.js';
import type { RedisClient } from '../../src/storage/redis-connection.js';

/** The stores' deadline in tests (and the clients' command timeout, which bounds queued commands). */
export const TIMEOUT_MS = 500;

export function redisClients(url: string) {
  const open: RedisClient[] = [];
  return {
    async connect(): Promise<RedisClient> {
      const client = createClient({
        url,
        commandOptions: { timeout: TIMEOUT_MS },
        // A stopped Redis is retried quietly; the test looks at the commands' errors.
        socket: { reconnectStrategy: () => 100 },
      });
      client.on('error', () => undefined);
      await client.connect();
      open.push(client);
      return client;
    },
    closeAll(): void {
      for (const client of open.splice(0)) client.destroy();
    },
  };
}

/** Every key under the prefix with its remaining time to live in ms (-1: none). */
export async function ttlsUnder(client: RedisClient, prefix: string): Promise<Map<string, number>> {
  const ttls = new Map<string, number>();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 }))
    for (const key of keys) ttls.set(key, await client.pTTL(key));
  return ttls;
}

/**
 * A real redis-server for the suite that calls it: started before its tests, resumed after each
 * (a test may pause it), stopped with every client after them. prefix() gives each store its own
 * keys, so every test starts empty on the one server.
 */
export function useRedis() {
  let server: RedisServer | undefined;
  let clients: ReturnType<typeof redisClients> | undefined;
  let prefixes = 0;
  beforeAll(async () => {
    server = await startRedis();
    clients = redisClients(server.url);
  });
  afterEach(() => server?.resume());
  afterAll(async () => {
    clients?.closeAll();
    await server?.stop();
  });
  return {
    get server(): RedisServer {
      return server!;
    },
    connect: () => clients!.connect(),
    prefix: () => `t${++prefixes}:`,
  };
}
