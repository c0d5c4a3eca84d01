/**
 * idp.storage.type and idp.storage.redis.*: SQLite by default; a Redis URL that is not redis:// or
 * rediss://, carries a password or a path, a timeout out of range, or an unknown type stops the
 * IdP at start-up naming where the value came from and the key.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIdpProperties } from '../../src/config/idp-properties.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';

const HOME = path.dirname(DEFAULT_CONF_DIR);

function load(overrides: Record<string, string> = {}) {
  return loadIdpProperties({ home: HOME, confDir: DEFAULT_CONF_DIR, env: {}, overrides });
}

function failure(overrides: Record<string, string>): ConfigurationError {
  try {
    load(overrides);
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw err;
  }
  throw new Error('no configuration error');
}

describe('idp.storage.type and idp.storage.redis.*', () => {
  it('defaults to SQLite', () => {
    expect(load().sharedState).toEqual({ type: 'sqlite' });
  });

  it('reads the Redis settings', () => {
    expect(
      load({
        'idp.storage.type': 'redis',
        'idp.storage.redis.url': 'rediss://idp@redis.example.org:6380/2',
        'idp.storage.redis.commandTimeout': 'PT0.5S',
      }).sharedState,
    ).toEqual({
      type: 'redis',
      redis: {
        url: 'rediss://idp@redis.example.org:6380/2',
        keyPrefix: 'idp:',
        connectTimeoutMs: 5_000,
        commandTimeoutMs: 500,
        passwordFile: '',
        tlsCaFile: '',
      },
    });
  });

  it.each([
    ['idp.storage.type', 'memcached', 'must be one of sqlite, redis'],
    ['idp.storage.redis.url', 'http://127.0.0.1:6379', 'must be a redis:// or rediss:// URL'],
    ['idp.storage.redis.url', '127.0.0.1:6379', 'must be a redis:// or rediss:// URL'],
    ['idp.storage.redis.url', 'redis://:secret@127.0.0.1', 'must not contain a password'],
    ['idp.storage.redis.url', 'redis://127.0.0.1/x', 'at most a database number'],
    ['idp.storage.redis.commandTimeout', 'PT2M', 'must be between 1 and 60000'],
    ['idp.storage.redis.connectTimeout', 'soon', 'must be a positive ISO-8601 duration'],
  ])('refuses %s = %s', (key, value, why) => {
    const err = failure({ 'idp.storage.type': 'redis', [key]: value });
    expect(err.key).toBe(key);
    expect(err.message).toContain(why);
    expect(err.message).not.toContain('secret');
  });
});
