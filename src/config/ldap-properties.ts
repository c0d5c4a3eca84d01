/**
 * The idp.directory.type property and the idp.authn.LDAP.* properties of the LDAP user directory,
 * typed and checked: with type ldap, a missing URL or base DN, a filter without {user} or one that
 * does not parse, a half-given service account or an unreadable CA file stops the IdP at start-up,
 * naming the file and key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { FilterParser } from 'ldapts';
import { ConfigurationError } from '../core/errors.js';
import type { PropertyEntry } from '../core/properties.js';
import type { LdapDirectorySettings, StateAttribute } from '../directory/ldap-settings.js';
import type { TypedProperties } from './typed-properties.js';

type Raw = ReadonlyMap<string, PropertyEntry>;

const L = 'idp.authn.LDAP.';
/** An LDAP attribute description (RFC 4512 descr, options not allowed) or an OID. */
const LDAP_ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;
const SOURCE_ATTRIBUTE = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export type DirectoryType = 'sqlite' | 'ldap';

/** The LDAP settings when idp.directory.type is ldap; undefined for the embedded directory. */
export function ldapProperties(p: TypedProperties, raw: Raw): LdapDirectorySettings | undefined {
  if ((p.str('idp.directory.type') as DirectoryType) !== 'ldap') return undefined;
  const fail = (key: string, why: string): never => {
    throw new ConfigurationError(raw.get(key)!.source, key, why);
  };
  const url = ldapUrl(p.str(`${L}ldapURL`).trim(), fail);
  const startTls = p.bool(`${L}useStartTLS`);
  if (startTls && url.startsWith('ldaps:'))
    fail(`${L}useStartTLS`, 'must be false with an ldaps:// URL (the connection is TLS already)');
  const baseDN = p.str(`${L}baseDN`).trim();
  if (baseDN === '') fail(`${L}baseDN`, 'must be set when idp.directory.type = ldap');
  const bindDN = p.str(`${L}bindDN`).trim();
  const bindCredential = p.str(`${L}bindDNCredential`);
  if ((bindDN === '') !== (bindCredential === '')) {
    const [missing, given] =
      bindDN === ''
        ? [`${L}bindDN`, `${L}bindDNCredential`]
        : [`${L}bindDNCredential`, `${L}bindDN`];
    // Named where the given one was set: the missing one has no place of its own.
    throw new ConfigurationError(
      raw.get(given)!.source,
      missing,
      `must be set with ${given} (a service account is both or neither)`,
    );
  }
  return {
    url,
    startTls,
    trustedCertificates: trustFile(p.str(`${L}trustCertificates`), fail),
    baseDN,
    subtree: p.bool(`${L}subtreeSearch`),
    userFilter: userFilter(p.str(`${L}userFilter`).trim(), fail),
    bindDN,
    bindCredential,
    connectTimeoutMs: p.num(`${L}connectTimeout`),
    responseTimeoutMs: p.num(`${L}responseTimeout`),
    poolMaxSize: p.inRange(`${L}poolMaxSize`, 1, 100),
    attributeMap: attributeMap(p.str(`${L}attributeMap`), fail),
    locked: stateAttribute(p, `${L}lockedAttribute`, undefined, fail),
    disabled: stateAttribute(p, `${L}disabledAttribute`, `${L}disabledValue`, fail),
    protected: stateAttribute(p, `${L}protectedAttribute`, `${L}protectedValue`, fail),
  };
}

type Fail = (key: string, why: string) => never;

function ldapUrl(value: string, fail: Fail): string {
  const key = `${L}ldapURL`;
  if (value === '') fail(key, 'must be set when idp.directory.type = ldap');
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    fail(key, `must be an ldap:// or ldaps:// URL (got ${JSON.stringify(value)})`);
  }
  if ((url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') || url.hostname === '')
    fail(key, `must be an ldap:// or ldaps:// URL with a host (got ${JSON.stringify(value)})`);
  if (url.pathname.replace(/^\/$/, '') !== '' || url.search !== '' || url.username !== '')
    fail(key, 'must name only the scheme, host and port (the base DN is idp.authn.LDAP.baseDN)');
  return `${url.protocol}//${url.host}`;
}

function userFilter(value: string, fail: Fail): string {
  const key = `${L}userFilter`;
  if (!value.includes('{user}')) fail(key, 'must contain {user}, where the account name goes');
  try {
    FilterParser.parseString(value.replaceAll('{user}', 'name'));
  } catch (err) {
    fail(key, `is not an LDAP filter: ${(err as Error).message}`);
  }
  return value;
}

function trustFile(file: string, fail: Fail): string | undefined {
  const key = `${L}trustCertificates`;
  if (file === '') return undefined;
  if (!existsSync(file)) fail(key, `file not found: ${file}`);
  const pem = readFileSync(file, 'utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) fail(key, `${file} holds no PEM certificate`);
  return pem;
}

/** "ldapName=sourceName, …" → a map; uid and repeated names are refused. */
function attributeMap(value: string, fail: Fail): Map<string, string> {
  const key = `${L}attributeMap`;
  const map = new Map<string, string>();
  const sources = new Set<string>();
  for (const pair of value.split(',').map((s) => s.trim())) {
    if (pair === '') continue;
    const [ldap, source, extra] = pair.split('=').map((s) => s.trim());
    if (extra !== undefined || !ldap || !source)
      fail(key, `${JSON.stringify(pair)} is not ldapName=sourceName`);
    if (!LDAP_ATTRIBUTE.test(ldap))
      fail(key, `${JSON.stringify(ldap)} is not an LDAP attribute name`);
    if (!SOURCE_ATTRIBUTE.test(source))
      fail(key, `${JSON.stringify(source)} is not an attribute name`);
    if (source === 'uid') fail(key, 'uid is the canonical account name and cannot be mapped');
    if (map.has(ldap.toLowerCase())) fail(key, `${ldap} is mapped twice`);
    if (sources.has(source)) fail(key, `${source} is the name of two LDAP attributes`);
    map.set(ldap.toLowerCase(), source);
    sources.add(source);
  }
  return map;
}

function stateAttribute(
  p: TypedProperties,
  attributeKey: string,
  valueKey: string | undefined,
  fail: Fail,
): StateAttribute | undefined {
  const attribute = p.str(attributeKey).trim();
  const value = valueKey ? p.str(valueKey).trim() : '';
  if (attribute === '') {
    if (valueKey && value !== '') fail(valueKey, `needs ${attributeKey}`);
    return undefined;
  }
  if (!LDAP_ATTRIBUTE.test(attribute))
    fail(attributeKey, `${JSON.stringify(attribute)} is not an LDAP attribute name`);
  return value === '' ? { attribute } : { attribute, value };
}
