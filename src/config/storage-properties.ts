/**
 * The idp.storage.type and idp.storage.redis.* properties, typed and checked: where the state that
 * the nodes of a cluster must share lives (IdP sessions, flow executions, login failures). A Redis
 * URL that is not redis:// or rediss://, or that carries a password, stops the IdP at start-up.
 */
import { ConfigurationError } from '../core/errors.js';
import type { PropertyEntry } from '../core/properties.js';
import type { TypedProperties } from './typed-properties.js';

export interface RedisProperties {
  /** redis:// or rediss:// (TLS), without a password. */
  readonly url: string;
  readonly keyPrefix: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** '' = no password. */
  readonly passwordFile: string;
  /** '' = the system's certificate authorities. */
  readonly tlsCaFile: string;
}

export type StorageProperties =
  { readonly type: 'sqlite' } | { readonly type: 'redis'; readonly redis: RedisProperties };

type Raw = ReadonlyMap<string, PropertyEntry>;

const MAX_TIMEOUT_MS = 60_000;

export function storageProperties(p: TypedProperties, raw: Raw): StorageProperties {
  if (p.str('idp.storage.type') !== 'redis') return { type: 'sqlite' };
  return {
    type: 'redis',
    redis: {
      url: redisUrl(p.str('idp.storage.redis.url'), raw),
      keyPrefix: p.str('idp.storage.redis.keyPrefix'),
      connectTimeoutMs: p.inRange('idp.storage.redis.connectTimeout', 1, MAX_TIMEOUT_MS),
      commandTimeoutMs: p.inRange('idp.storage.redis.commandTimeout', 1, MAX_TIMEOUT_MS),
      passwordFile: p.str('idp.storage.redis.passwordFile'),
      tlsCaFile: p.str('idp.storage.redis.tlsCaFile'),
    },
  };
}

function redisUrl(value: string, raw: Raw): string {
  const key = 'idp.storage.redis.url';
  const fail = (why: string): never => {
    throw new ConfigurationError(raw.get(key)!.source, key, why);
  };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`must be a redis:// or rediss:// URL (got ${JSON.stringify(value)})`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    fail(`must be a redis:// or rediss:// URL (got ${JSON.stringify(url.protocol)})`);
  if (url.hostname === '') fail('must name a host');
  // A secret in idp.properties ends up in copies of the configuration and in log lines.
  if (url.password !== '')
    fail('must not contain a password: put it in idp.storage.redis.passwordFile');
  if (!/^\/?\d*$/.test(url.pathname))
    fail(`must end with at most a database number (got ${JSON.stringify(url.pathname)})`);
  return value;
}
