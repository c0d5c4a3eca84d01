/**
 * The stores of the state every node of a cluster must see alike — IdP sessions, flow executions,
 * login failures — chosen by idp.storage.type: the SQLite database (the default, one node) or
 * Redis, over one connection opened here (src/storage/redis-connection.ts), which other Redis
 * stores may share (`redis`).
 */
import { readFileSync } from 'node:fs';
import type session from 'express-session';
import type { LoginThrottle } from '../authn/login-throttle.js';
import { RedisLoginThrottle } from '../authn/redis-login-throttle.js';
import { SqliteLoginThrottle } from '../authn/sqlite-login-throttle.js';
import type { IdpProperties } from '../config/idp-properties.js';
import type { RedisProperties } from '../config/storage-properties.js';
import { ConfigurationError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { FlowExecutionStore } from '../session/flow-execution-store.js';
import { RedisFlowExecutionStore } from '../session/redis-flow-execution-store.js';
import { RedisSessionStore } from '../session/redis-session-store.js';
import { SqliteFlowExecutionStore } from '../session/sqlite-flow-execution-store.js';
import { SqliteSessionStore } from '../session/sqlite-session-store.js';
import {
  closeRedisConnection,
  openRedisConnection,
  type RedisClient,
} from '../storage/redis-connection.js';
import type { BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';

export interface SharedState {
  readonly sessionStore: session.Store;
  readonly executions: FlowExecutionStore;
  readonly throttle: LoginThrottle;
  /** With idp.storage.type = redis: the one connection, and the prefix of every key. */
  readonly redis?: { readonly client: RedisClient; readonly keyPrefix: string };
  close(): Promise<void>;
}

export async function openSharedState(
  props: IdpProperties,
  db: SqliteDatabase,
  busy: BusyPolicy,
  log: ProcessLog,
): Promise<SharedState> {
  const { maxFailures, maxFailuresPerAccount, failureWindowMs: windowMs } = props.login;
  const limits = { maxFailures, maxFailuresPerAccount, windowMs };
  if (props.sharedState.type === 'sqlite') {
    const sessionStore = new SqliteSessionStore(db, props.session.timeoutMs, busy);
    return {
      sessionStore,
      executions: new SqliteFlowExecutionStore(db, busy),
      throttle: new SqliteLoginThrottle(db, limits, busy),
      close: () => Promise.resolve(sessionStore.close()),
    };
  }
  const redis = props.sharedState.redis;
  const client = await openRedisConnection(
    {
      url: redis.url,
      connectTimeoutMs: redis.connectTimeoutMs,
      commandTimeoutMs: redis.commandTimeoutMs,
      password: firstLine(redis.passwordFile, 'idp.storage.redis.passwordFile'),
      tlsCa: fileText(redis.tlsCaFile, 'idp.storage.redis.tlsCaFile'),
    },
    log,
  );
  const { keyPrefix } = redis;
  return {
    sessionStore: new RedisSessionStore(client, keyPrefix, props.session.timeoutMs),
    executions: new RedisFlowExecutionStore(client, keyPrefix),
    throttle: new RedisLoginThrottle(client, keyPrefix, limits),
    redis: { client, keyPrefix },
    close: () => closeRedisConnection(client),
  };
}

/** The password: the file's first line, trimmed; undefined when no file is configured. */
function firstLine(file: RedisProperties['passwordFile'], key: string): string | undefined {
  const text = fileText(file, key);
  if (text === undefined) return undefined;
  const line = text.split(/\r?\n/, 1)[0]!.trim();
  if (line === '') throw new ConfigurationError(file, key, 'the file holds no password');
  return line;
}

function fileText(file: string, key: string): string | undefined {
  if (file === '') return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigurationError(file, key, `cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
