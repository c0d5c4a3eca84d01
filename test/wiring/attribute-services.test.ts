/**
 * The one builder of directory + resolver + filter (used by the IdP, the policy CLI and the
 * tests): on the shipped configuration, an empty database is seeded once, the resolver reads the
 * directory, and the filter releases what conf/attribute-filter.yaml permits — never the
 * impersonation rights.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';
import { openAttributeServices } from '../../src/wiring/attribute-services.js';

function shippedConfiguration() {
  const home = mkdtempSync(path.join(tmpdir(), 'idp-wiring-'));
  return loadConfiguration({ home, confDir: DEFAULT_CONF_DIR, env: {}, overrides: {} });
}

describe('openAttributeServices', () => {
  it('seeds an empty directory and resolves and filters through it', async () => {
    const config = shippedConfiguration();
    const { directory, resolver, filter } = await openAttributeServices(
      config,
      openSqliteDatabase(':memory:'),
    );
    expect(await directory.authenticate('alice', 'demo-alice')).toBe(true);
    const resolution = await resolver.resolve({ principal: 'alice', label: 'SAML2/SSO' });
    expect(resolution.principalFound).toBe(true);
    expect(resolution.attributes.mail).toEqual(['alice@example.org']);
    expect(resolution.attributes.impersonatableUsernames).toEqual(['bob', 'carol']);
    const released = filter.filter(resolution.attributes, config.properties.demo.sp.entityID);
    expect(released.mail).toEqual(['alice@example.org']);
    expect(released.impersonatableUsernames).toBeUndefined();
    expect(filter.filter(resolution.attributes, 'https://unknown.example.org/sp')).toEqual({});
  });

  it('opens a directory that already has accounts as it is: the seed is not loaded again', async () => {
    const config = shippedConfiguration();
    const db = openSqliteDatabase(':memory:');
    await openAttributeServices(config, db);
    db.prepare('DELETE FROM accounts WHERE username = ?').run('bob');
    const { directory } = await openAttributeServices(config, db);
    expect(await directory.accountState('bob')).toBe('absent');
    expect(await directory.accountState('alice')).toBe('active');
  });
});
