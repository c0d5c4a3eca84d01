/**
 * The idp.metadata.* properties and the rollover pair's file names: defaults publish no
 * organization or contacts and do not sign; a half-configured organization, a contact that is not
 * an e-mail address, or one file of the next pair without the other stops the IdP at start-up.
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

describe('idp.metadata.* and idp.signing.next.*', () => {
  it('defaults: valid a week, cached an hour, unsigned, no organization, contacts or next pair', () => {
    const p = load();
    expect(p.metadata).toEqual({
      validityMs: 7 * 24 * 3600_000,
      cacheDurationMs: 3600_000,
      sign: false,
      organization: undefined,
      contacts: [],
    });
    expect(p.signing.next).toBeUndefined();
  });

  it('reads an organization (display name defaulting to the name) and mailto: contacts', () => {
    const p = load({
      'idp.metadata.organization.name': 'Example University',
      'idp.metadata.organization.url': 'https://www.example.org/',
      'idp.metadata.contact.support': 'mailto:help@example.org',
      'idp.metadata.contact.technical': 'idp@example.org',
      'idp.signing.next.key': 'credentials/next.key',
      'idp.signing.next.cert': 'credentials/next.crt',
    });
    expect(p.metadata.organization).toEqual({
      name: 'Example University',
      displayName: 'Example University',
      url: 'https://www.example.org/',
    });
    expect(p.metadata.contacts).toEqual([
      { type: 'technical', email: 'mailto:idp@example.org' },
      { type: 'support', email: 'mailto:help@example.org' },
    ]);
    expect(p.signing.next).toEqual({
      key: path.resolve(HOME, 'credentials/next.key'),
      cert: path.resolve(HOME, 'credentials/next.crt'),
    });
  });

  it.each([
    [
      'a next key without its certificate',
      { 'idp.signing.next.key': 'next.key' },
      'idp.signing.next.cert',
      /must be set with idp\.signing\.next\.key/,
    ],
    [
      'a next certificate without its key',
      { 'idp.signing.next.cert': 'next.crt' },
      'idp.signing.next.key',
      /must be set with idp\.signing\.next\.cert/,
    ],
    [
      'an organization without a URL',
      { 'idp.metadata.organization.name': 'Example' },
      'idp.metadata.organization.url',
      /must be set with an organization name/,
    ],
    [
      'an organization URL that is not http(s)',
      {
        'idp.metadata.organization.name': 'Example',
        'idp.metadata.organization.url': 'javascript:alert(1)',
      },
      'idp.metadata.organization.url',
      /must be an http\(s\) URL/,
    ],
    [
      'an organization URL without a name',
      { 'idp.metadata.organization.url': 'https://www.example.org/' },
      'idp.metadata.organization.url',
      /needs idp\.metadata\.organization\.name/,
    ],
    [
      'a contact that is not one e-mail address',
      { 'idp.metadata.contact.security': 'cert@example.org, abuse@example.org' },
      'idp.metadata.contact.security',
      /must be an e-mail address/,
    ],
  ])('refuses %s, naming the key', (_what, overrides, key, message) => {
    const err = failure(overrides);
    expect(err.key).toBe(key);
    expect(err.message).toMatch(message);
  });
});
