/**
 * The node-redis client the front-ends' shared stores take (redis-oidc-adapter.ts,
 * redis-authorization-records.ts, redis-persistent-id-store.ts). It is opened and closed by the
 * composition root; a store prefixes its keys and bounds each of its operations in time.
 */
import type { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * The work's result, or a rejection once timeoutMs have passed. Needed on top of the client's own
 * command timeout: node-redis 5 drops that timeout once a command is written to the socket, so a
 * Redis that accepts the bytes and never answers (stopped, partitioned) would hold the request
 * for ever. The command itself stays queued in the client until the connection answers or drops.
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
