/**
 * The IdP's own Redis connection (src/storage/redis-connection.ts) to a test's redis-server, with
 * a short command deadline and a log that keeps its lines; each test gets its own key prefix.
 */
import { randomBytes } from 'node:crypto';
import type { ProcessLog } from '../../src/logging/process-log.js';
import { openRedisConnection, type RedisClient } from '../../src/storage/redis-connection.js';
import type { RedisServer } from './redis-server.js';

export interface TestRedisClient {
  readonly client: RedisClient;
  readonly lines: string[];
}

export async function connectTestClient(
  server: Pick<RedisServer, 'url'>,
  commandTimeoutMs = 300,
): Promise<TestRedisClient> {
  const lines: string[] = [];
  const client = await openRedisConnection(
    { url: server.url, connectTimeoutMs: 2_000, commandTimeoutMs },
    linesLog(lines),
  );
  return { client, lines };
}

/** A key prefix of its own for one test, so tests sharing a server never see each other's keys. */
export function freshPrefix(): string {
  return `t${randomBytes(6).toString('hex')}:`;
}

export function linesLog(lines: string[]): ProcessLog {
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return {
    error: at('ERROR'),
    warn: at('WARN'),
    info: at('INFO'),
    debug: at('DEBUG'),
    child: () => linesLog(lines),
    close: () => Promise.resolve(),
  };
}
