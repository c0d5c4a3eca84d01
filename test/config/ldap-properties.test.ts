/**
 * idp.directory.type and the idp.authn.LDAP.* properties: the embedded directory by default (no
 * LDAP settings read), the LDAP settings typed when type = ldap, and every half-configured or
 * malformed value refused at start-up naming the file and key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIdpProperties } from '../../src/config/idp-properties.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';

const HOME = path.dirname(DEFAULT_CONF_DIR);
const LDAP = {
  'idp.directory.type': 'ldap',
  'idp.authn.LDAP.ldapURL': 'ldap://ldap.example.org:389',
  'idp.authn.LDAP.baseDN': 'ou=people,dc=example,dc=org',
};

function load(overrides: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  return loadIdpProperties({ home: HOME, confDir: DEFAULT_CONF_DIR, env, overrides });
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

describe('idp.directory.type', () => {
  it('is sqlite by default: no LDAP settings are read, not even broken ones', () => {
    const p = load({ 'idp.authn.LDAP.userFilter': '(uid=nobody)' });
    expect(p.directory.type).toBe('sqlite');
    expect(p.directory.ldap).toBeUndefined();
  });

  it('refuses anything but sqlite or ldap', () => {
    expect(failure({ 'idp.directory.type': 'ad' }).key).toBe('idp.directory.type');
  });
});

describe('idp.authn.LDAP.* with type ldap', () => {
  it('has the documented defaults', () => {
    const ldap = load(LDAP).directory.ldap!;
    expect(ldap).toMatchObject({
      url: 'ldap://ldap.example.org:389',
      startTls: false,
      trustedCertificates: undefined,
      baseDN: 'ou=people,dc=example,dc=org',
      subtree: false,
      userFilter: '(uid={user})',
      bindDN: '',
      bindCredential: '',
      connectTimeoutMs: 3000,
      responseTimeoutMs: 3000,
      poolMaxSize: 10,
      locked: { attribute: 'pwdAccountLockedTime' },
      disabled: undefined,
      protected: undefined,
    });
    expect([...ldap.attributeMap]).toEqual([
      ['displayname', 'displayName'],
      ['mail', 'mail'],
      ['edupersonaffiliation', 'affiliation'],
      ['edupersonentitlement', 'entitlement'],
    ]);
  });

  it('takes the service account password from the environment', () => {
    const ldap = load(
      { ...LDAP, 'idp.authn.LDAP.bindDN': 'cn=idp,dc=example,dc=org' },
      { IDP_AUTHN_LDAP_BIND_DN_CREDENTIAL: 'from-env' },
    ).directory.ldap!;
    expect(ldap.bindCredential).toBe('from-env');
  });

  it('reads state attributes with and without a value, and a CA file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ldap-props-'));
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');
    const ldap = load({
      ...LDAP,
      'idp.authn.LDAP.ldapURL': 'ldaps://ldap.example.org',
      'idp.authn.LDAP.trustCertificates': ca,
      'idp.authn.LDAP.disabledAttribute': 'nsAccountLock',
      'idp.authn.LDAP.disabledValue': 'true',
      'idp.authn.LDAP.protectedAttribute': 'idpProtected',
      'idp.authn.LDAP.lockedAttribute': '',
    }).directory.ldap!;
    expect(ldap.url).toBe('ldaps://ldap.example.org');
    expect(ldap.trustedCertificates).toContain('BEGIN CERTIFICATE');
    expect(ldap.disabled).toEqual({ attribute: 'nsAccountLock', value: 'true' });
    expect(ldap.protected).toEqual({ attribute: 'idpProtected' });
    expect(ldap.locked).toBeUndefined();
  });

  it.each([
    [{ 'idp.authn.LDAP.ldapURL': '' }, 'idp.authn.LDAP.ldapURL', /must be set/],
    [
      { 'idp.authn.LDAP.ldapURL': 'http://ldap.example.org' },
      'idp.authn.LDAP.ldapURL',
      /ldap:\/\//,
    ],
    [
      { 'idp.authn.LDAP.ldapURL': 'ldap://ldap.example.org/dc=example,dc=org' },
      'idp.authn.LDAP.ldapURL',
      /only the scheme, host and port/,
    ],
    [{ 'idp.authn.LDAP.baseDN': ' ' }, 'idp.authn.LDAP.baseDN', /must be set/],
    [{ 'idp.authn.LDAP.userFilter': '(uid=alice)' }, 'idp.authn.LDAP.userFilter', /\{user\}/],
    [
      { 'idp.authn.LDAP.userFilter': '(uid={user}' },
      'idp.authn.LDAP.userFilter',
      /not an LDAP filter/,
    ],
    [
      {
        'idp.authn.LDAP.ldapURL': 'ldaps://ldap.example.org',
        'idp.authn.LDAP.useStartTLS': 'true',
      },
      'idp.authn.LDAP.useStartTLS',
      /TLS already/,
    ],
    [
      { 'idp.authn.LDAP.bindDN': 'cn=idp,dc=example,dc=org' },
      'idp.authn.LDAP.bindDNCredential',
      /both or neither/,
    ],
    [{ 'idp.authn.LDAP.bindDNCredential': 'secret' }, 'idp.authn.LDAP.bindDN', /both or neither/],
    [
      { 'idp.authn.LDAP.trustCertificates': '/nonexistent/ca.pem' },
      'idp.authn.LDAP.trustCertificates',
      /not found/,
    ],
    [{ 'idp.authn.LDAP.poolMaxSize': '0' }, 'idp.authn.LDAP.poolMaxSize', /between 1 and 100/],
    [
      { 'idp.authn.LDAP.attributeMap': 'uid=uid' },
      'idp.authn.LDAP.attributeMap',
      /canonical account name/,
    ],
    [
      { 'idp.authn.LDAP.attributeMap': 'mail' },
      'idp.authn.LDAP.attributeMap',
      /ldapName=sourceName/,
    ],
    [
      { 'idp.authn.LDAP.attributeMap': 'mail=mail, Mail=email' },
      'idp.authn.LDAP.attributeMap',
      /mapped twice/,
    ],
    [
      { 'idp.authn.LDAP.attributeMap': 'mail=x, cn=x' },
      'idp.authn.LDAP.attributeMap',
      /two LDAP attributes/,
    ],
    [
      { 'idp.authn.LDAP.attributeMap': 'ma(il=mail' },
      'idp.authn.LDAP.attributeMap',
      /not an LDAP attribute/,
    ],
    [
      { 'idp.authn.LDAP.disabledValue': 'true' },
      'idp.authn.LDAP.disabledValue',
      /needs idp\.authn\.LDAP\.disabledAttribute/,
    ],
    [
      { 'idp.authn.LDAP.lockedAttribute': 'a b' },
      'idp.authn.LDAP.lockedAttribute',
      /not an LDAP attribute/,
    ],
    [{ 'idp.authn.LDAP.responseTimeout': '3' }, 'idp.authn.LDAP.responseTimeout', /duration/],
  ])('refuses %j, naming %s', (overrides, key, why) => {
    const err = failure({ ...LDAP, ...overrides });
    expect(err.key).toBe(key);
    expect(err.file).toBe('override');
    expect(err.message).toMatch(why);
  });

  it('names the properties file and line of a bad value', () => {
    const confDir = mkdtempSync(path.join(tmpdir(), 'ldap-conf-'));
    writeFileSync(
      path.join(confDir, 'idp.properties'),
      'idp.directory.type = ldap\nidp.authn.LDAP.ldapURL = ldap://x\nidp.authn.LDAP.baseDN = dc=x\nidp.authn.LDAP.userFilter = (cn=admin)\n',
    );
    expect(() => loadIdpProperties({ home: HOME, confDir, env: {} })).toThrow(
      /idp\.properties:4: idp\.authn\.LDAP\.userFilter: must contain \{user\}/,
    );
  });
});
