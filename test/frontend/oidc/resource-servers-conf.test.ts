/** resourceServers in relying-party.yaml: read, and refused at start-up with file:line and key. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../../src/config/load-configuration.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../../src/core/paths.js';
import { RelyingPartyRegistry } from '../../../src/relying-party/relying-party.js';

function load(resourceServers: string) {
  const home = mkdtempSync(path.join(tmpdir(), 'conf-'));
  const dir = path.join(home, 'conf');
  cpSync(DEFAULT_CONF_DIR, dir, { recursive: true });
  const file = path.join(dir, 'relying-party.yaml');
  writeFileSync(file, `${readFileSync(file, 'utf8')}\nresourceServers:\n${resourceServers}`);
  return loadConfiguration({ home, confDir: dir, env: {} });
}

function failure(resourceServers: string): string {
  try {
    load(resourceServers);
  } catch (err) {
    if (err instanceof ConfigurationError) return err.message;
    throw err;
  }
  throw new Error('no configuration error');
}

const GOOD = `  - clientId: demo-api
    clientSecret: demo-api-secret-0123456789
    introspectTokensOf: ["%{demo.oidc.clientId}"]
`;

describe('resourceServers', () => {
  it('are read, with the clients whose tokens each may introspect', () => {
    const config = load(GOOD);
    expect(config.resourceServers).toEqual([
      {
        id: 'demo-api',
        clientSecret: 'demo-api-secret-0123456789',
        displayName: 'demo-api',
        tokenEndpointAuthMethod: 'client_secret_basic',
        introspectTokensOf: ['demo-rp'],
        declaredAt: expect.stringMatching(/^conf\/relying-party\.yaml:\d+$/) as string,
      },
    ]);
    const registry = new RelyingPartyRegistry(config.relyingParties, config.resourceServers);
    expect(registry.mayIntrospectTokensOf('demo-api', 'demo-rp')).toBe(true);
    expect(registry.mayIntrospectTokensOf('demo-rp', 'demo-api')).toBe(false);
    expect(registry.get('demo-api')).toBeUndefined(); // not a relying party: nobody signs in to it
  });

  it('are none in the shipped configuration', () => {
    expect(
      loadConfiguration({ home: tmpdir(), confDir: DEFAULT_CONF_DIR, env: {} }).resourceServers,
    ).toEqual([]);
  });

  it.each([
    [
      'a client that is not configured',
      GOOD.replace('"%{demo.oidc.clientId}"', 'nobody'),
      /relying-party\.yaml:\d+: resourceServers\[0\]\.introspectTokensOf\[0\]: nobody is no client in oidcClients/,
    ],
    [
      'a SAML entity ID',
      GOOD.replace('"%{demo.oidc.clientId}"', '"%{demo.sp.entityID}"'),
      /introspectTokensOf\[0\]: https:\/\/sp\.demo\.example\.org\/shibboleth is no client in oidcClients/,
    ],
    [
      'no client',
      GOOD.replace('introspectTokensOf: ["%{demo.oidc.clientId}"]', 'introspectTokensOf: []'),
      /resourceServers\[0\]\.introspectTokensOf: must list at least one/,
    ],
    [
      'an id already taken',
      GOOD.replace('clientId: demo-api', 'clientId: "%{demo.oidc.clientId}"'),
      /resourceServers\[0\]\.clientId: duplicate id/,
    ],
    [
      'a short secret',
      GOOD.replace('demo-api-secret-0123456789', 'short'),
      /resourceServers\[0\]\.clientSecret: must be at least 16 characters/,
    ],
    [
      'an unknown key',
      `${GOOD}    redirectUris: [http://x/]\n`,
      /resourceServers\[0\]\.redirectUris: unknown key/,
    ],
    [
      'another authentication method',
      `${GOOD}    tokenEndpointAuthMethod: none\n`,
      /resourceServers\[0\]\.tokenEndpointAuthMethod: must be client_secret_basic or client_secret_post/,
    ],
  ])('refuse %s, naming file, line and key', (_what, conf, message) => {
    expect(failure(conf)).toMatch(message);
  });
});
