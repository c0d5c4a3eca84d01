/**
 * The one Redis connection of an IdP (idp.storage.type = redis), shared by every store that keeps
 * state the nodes of a cluster must see alike. Failing fast is the point of its settings:
 *
 * - start-up fails, naming the server, when Redis cannot be reached or refuses the password;
 * - every store call has a deadline (idp.storage.redis.commandTimeout, sharedStoreCall): a stopped
 *   or slow Redis ends the request with the 503 page instead of holding it;
 * - while disconnected, commands fail at once (no offline queue), and the queue of commands
 *   waiting for a reply is bounded;
 * - a dropped connection is re-opened with capped exponential backoff, so the IdP recovers on its
 *   own when Redis comes back, without a restart;
 * - connection errors are logged at most a few lines per interval (a Redis that is down would
 *   otherwise write a line per retry and per request).
 *
 * node-redis's own command timeout only covers a command until it is written to the socket; a
 * Redis that has the command and does not answer (stopped, overloaded, a half-open connection)
 * would hold it for ever. So every store runs its Redis work through sharedStoreCall, which gives
 * up at the deadline; the reply, if it ever comes, is then dropped (replies stay in order), and
 * the bounded queue keeps a Redis that never answers from holding ever more memory.
 */
import { createClient } from 'redis';
import { IdpError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';
import { RateLimitedLog } from '../logging/rate-limited-log.js';

/** The client the Redis stores take (with a key prefix of their own under idp.storage.redis.keyPrefix). */
export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  /** redis:// or rediss://, without a password. */
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly password?: string;
  /** PEM certificate authorities for rediss://; the system's when absent. */
  readonly tlsCa?: string;
}

/** Commands sent and still waiting for a reply, at most; beyond that a command fails at once. */
const MAX_QUEUED_COMMANDS = 10_000;
/** The longest wait between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/** Connects, or throws an IdpError naming the server and why not. */
export async function openRedisConnection(
  options: RedisConnectionOptions,
  log: ProcessLog,
): Promise<RedisClient> {
  const where = redactedUrl(options.url);
  let connectedOnce = false;
  const tls = options.url.startsWith('rediss:');
  const client = createClient({
    url: options.url,
    password: options.password,
    disableOfflineQueue: true,
    commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
    // The deadline of commands not yet written; sharedStoreCall's, the same, covers the reply.
    commandOptions: { timeout: options.commandTimeoutMs },
    socket: {
      connectTimeout: options.connectTimeoutMs,
      ...(tls ? { tls: true as const, ...(options.tlsCa ? { ca: options.tlsCa } : {}) } : {}),
      // Before the first connection: no retry, so start-up fails with the cause. After it: retry
      // for ever, 50 ms doubling up to MAX_RECONNECT_DELAY_MS, with jitter so nodes spread out.
      reconnectStrategy: (retries, cause) =>
        connectedOnce
          ? Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS) +
            Math.floor(Math.random() * 100)
          : cause,
    },
  });
  const limited = new RateLimitedLog(5, 30_000);
  client.on('error', (err: Error) =>
    limited.write('error', `Redis ${where}: ${err.message}`, (line) => log.warn(line)),
  );
  client.on('ready', () => {
    if (connectedOnce) log.info(`Redis ${where}: connected again`);
    connectedOnce = true;
  });
  try {
    await withDeadline(client.connect(), options.connectTimeoutMs + options.commandTimeoutMs);
    // A Redis that wants a password accepts the connection without one and refuses each command.
    await withDeadline(client.ping(), options.commandTimeoutMs);
  } catch (err) {
    if (client.isOpen) client.destroy();
    throw new IdpError(
      'SHARED_STORE_FAILED',
      `cannot connect to Redis ${where} (idp.storage.redis.url): ${(err as Error).message}`,
      { cause: err },
    );
  }
  log.info(`Shared state in Redis ${where}`);
  deadlines.set(client, options.commandTimeoutMs);
  return client;
}

/**
 * Drops the connection at once. Not close(): node-redis 5 marks a closing client closed before it
 * waits for replies still due, so a Redis that stopped answering would hold the shutdown, and
 * destroy() could no longer end the socket. At shutdown the server has already stopped taking
 * requests, and every store call has its own deadline: nothing waits for these replies.
 */
export function closeRedisConnection(client: RedisClient): Promise<void> {
  if (client.isOpen) client.destroy();
  return Promise.resolve();
}

/** The command deadline of each client openRedisConnection made. */
const deadlines = new WeakMap<RedisClient, number>();
/** The deadline of a client made elsewhere. */
const DEFAULT_DEADLINE_MS = 2_000;

/**
 * Runs a store's Redis work (one command or script on `client`) with the client's command
 * deadline; a failure, or no answer by the deadline, is SHARED_STORE_FAILED (503, nothing
 * released), naming the store.
 */
export async function sharedStoreCall<T>(
  client: RedisClient,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  const ms = deadlines.get(client) ?? DEFAULT_DEADLINE_MS;
  try {
    const running = work();
    running.catch(() => undefined); // after the deadline, its failure has already been reported
    return await withDeadline(running, ms);
  } catch (err) {
    throw sharedStoreFailure(what, err);
  }
}

/** A Redis failure as the IdP reports it: SHARED_STORE_FAILED (503, nothing released), naming the store. */
export function sharedStoreFailure(what: string, err: unknown): IdpError {
  if (err instanceof IdpError) return err;
  const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new IdpError('SHARED_STORE_FAILED', `${what} failed (Redis): ${why}`, { cause: err });
}

/** The URL as it may appear in a log line: no user name or password. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * The work's result, or a rejection once `ms` have passed. Needed on top of the client's own
 * command timeout: node-redis 5 drops that timeout once a command is written to the socket, so a
 * Redis that accepts the bytes and never answers (stopped, partitioned) would hold the request
 * for ever.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
