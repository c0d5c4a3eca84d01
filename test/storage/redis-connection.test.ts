/**
 * The IdP's Redis connection against a real redis-server: start-up fails naming the server when
 * nothing answers; a stopped Redis (SIGSTOP) fails each command with SHARED_STORE_FAILED after the
 * command deadline instead of holding it, and the connection works again once Redis continues; a
 * restarted Redis is reconnected to without a new client; a password Redis refuses stops start-up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdpError } from '../../src/core/errors.js';
import {
  closeRedisConnection,
  openRedisConnection,
  redactedUrl,
  sharedStoreCall,
} from '../../src/storage/redis-connection.js';
import { freePort } from '../support/free-port.js';
import { connectTestClient, linesLog, type TestRedisClient } from '../support/redis-client.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { serversAvailable } from '../support/system-servers.js';

describe('start-up', () => {
  it('fails with SHARED_STORE_FAILED naming the server when nothing listens', async () => {
    const port = await freePort();
    const failure = await openRedisConnection(
      { url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1_000, commandTimeoutMs: 300 },
      linesLog([]),
    ).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(IdpError);
    expect(failure).toMatchObject({ code: 'SHARED_STORE_FAILED', status: 503 });
    expect((failure as Error).message).toContain(
      `cannot connect to Redis redis://127.0.0.1:${port}`,
    );
  });

  it('never writes a password into a log line', () => {
    expect(redactedUrl('redis://user:secret@example.org:6380/2')).toBe(
      'redis://example.org:6380/2',
    );
  });
});

describe.runIf(serversAvailable('redis-server'))('against a real redis-server', () => {
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

  it('fails a command on a stopped Redis with SHARED_STORE_FAILED, and recovers when it continues', async () => {
    await c.client.set('k', 'v');
    server.pause();
    try {
      const failure = await sharedStoreCall(c.client, 'test', () => c.client.get('k')).catch(
        (err: unknown) => err,
      );
      expect(failure).toMatchObject({ code: 'SHARED_STORE_FAILED', event: 'SharedStoreFailure' });
      expect((failure as Error).message).toContain('test failed (Redis): TimeoutError');
    } finally {
      server.resume();
    }
    expect(await c.client.get('k')).toBe('v');
  });

  it('reconnects on its own to a restarted Redis; meanwhile commands fail at once', async () => {
    await server.restart();
    // Until the reconnection: ClientOfflineError (no offline queue), never a hang.
    await expect
      .poll(async () =>
        sharedStoreCall(c.client, 'test', () => c.client.ping()).catch((e: Error) => e.message),
      )
      .toBe('PONG');
    expect(await c.client.get('k')).toBeNull(); // a new, empty Redis
    await expect.poll(() => c.lines.join('\n')).toContain('connected again');
  });

  it('sends the password, and fails start-up clearly when Redis refuses it', async () => {
    await c.client.configSet('requirepass', 'pw-for-the-test');
    try {
      const options = { url: server.url, connectTimeoutMs: 2_000, commandTimeoutMs: 300 };
      const refused = await openRedisConnection(options, linesLog([])).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'SHARED_STORE_FAILED' });
      expect((refused as Error).message).toContain(`cannot connect to Redis ${server.url}`);
      const wrong = { ...options, password: 'wrong' };
      expect(await openRedisConnection(wrong, linesLog([])).catch((e: unknown) => e)).toMatchObject(
        { code: 'SHARED_STORE_FAILED' },
      );
      const right = await openRedisConnection(
        { ...options, password: 'pw-for-the-test' },
        linesLog([]),
      );
      expect(await right.ping()).toBe('PONG');
      await closeRedisConnection(right);
    } finally {
      await c.client.configSet('requirepass', '');
    }
  });
});
