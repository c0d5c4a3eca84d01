/**
 * A real OpenLDAP slapd (Debian's 2.5) on a free loopback port, in its own temporary folder: an mdb
 * database filled from an LDIF of the demo accounts (conf/demo-users.yaml, passwords as {SSHA}),
 * a service account that may read every entry but no userPassword, and a few entries for the
 * directory tests (two entries with one uid; an account below a sub-branch). pause()/resume()
 * stop and continue the process (SIGSTOP/SIGCONT) to make the directory slow; stop()/restart()
 * take it away and bring it back on the same port with the same data.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';
import { generate } from 'selfsigned';
import { parse } from 'yaml';
import { loadIdpProperties } from '../../src/config/idp-properties.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { expandReferences } from '../../src/core/properties.js';
import { freePort } from './free-port.js';
import { killProcess, stopProcess, waitForPort } from './redis-server.js';
import { requireServerBinary } from './system-servers.js';

const SLAPD_BASE_DN = 'dc=example,dc=org';
export const SLAPD_PEOPLE_DN = `ou=people,${SLAPD_BASE_DN}`;
export const SLAPD_SERVICE_DN = `cn=idp-search,ou=services,${SLAPD_BASE_DN}`;
export const SLAPD_SERVICE_PASSWORD = 'service-secret';
export const SLAPD_ADMIN_DN = `cn=admin,${SLAPD_BASE_DN}`;
export const SLAPD_ADMIN_PASSWORD = 'admin-secret';

/**
 * The LDAP attribute → IdP source attribute map of the test directory (idp.authn.LDAP.attributeMap):
 * eduPerson's names for affiliation and entitlement, and two test attributes for the
 * impersonation lists the shipped policies read.
 */
const SLAPD_ATTRIBUTE_MAP =
  'displayName=displayName, mail=mail, eduPersonAffiliation=affiliation, eduPersonEntitlement=entitlement, ' +
  'idpImpersonatableUsername=impersonatableUsernames, idpImpersonatableService=impersonatableServices';

export interface Slapd {
  readonly port: number;
  readonly url: string;
  /** With { tls: true }: the LDAPS URL and the certificate to trust (PEM). */
  readonly tls?: { readonly ldapsURL: string; readonly caFile: string };
  /** Properties that point the IdP at this directory (idp.directory.type = ldap). */
  readonly properties: Record<string, string>;
  pause(): void;
  resume(): void;
  /** Ends the process (the data stays); restart() starts it again on the same port. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Ends the process and removes its folder. */
  close(): Promise<void>;
  /** Bind and search operations the server has completed since it started (cn=Monitor). */
  operations(): Promise<{ bind: number; search: number }>;
}

// The eduPerson attributes the demo accounts need (official OIDs) and two test-only attributes
// for the impersonation lists (OIDs under a UUID arc, 2.25, that needs no registration).
const TEST_ARC = '2.25.325482378897443922781069359913008658197';
const SCHEMA = `
attributetype ( 1.3.6.1.4.1.5923.1.1.1.1 NAME 'eduPersonAffiliation'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
attributetype ( 1.3.6.1.4.1.5923.1.1.1.7 NAME 'eduPersonEntitlement'
  EQUALITY caseExactMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
objectclass ( 1.3.6.1.4.1.5923.1.1.2 NAME 'eduPerson' AUXILIARY
  MAY ( eduPersonAffiliation $ eduPersonEntitlement ) )
attributetype ( ${TEST_ARC}.1.1 NAME 'idpImpersonatableUsername'
  EQUALITY caseExactMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
attributetype ( ${TEST_ARC}.1.2 NAME 'idpImpersonatableService'
  EQUALITY caseExactMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
objectclass ( ${TEST_ARC}.2.1 NAME 'idpTestAccount' AUXILIARY
  MAY ( idpImpersonatableUsername $ idpImpersonatableService ) )
`;

function slapdConf(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include ${dir}/test.schema
modulepath /usr/lib/ldap
moduleload back_mdb
# Loaded for its schema only (pwdAccountLockedTime); no overlay is configured.
moduleload ppolicy
pidfile ${dir}/slapd.pid
database mdb
suffix "${SLAPD_BASE_DN}"
rootdn "${SLAPD_ADMIN_DN}"
rootpw ${SLAPD_ADMIN_PASSWORD}
directory ${dir}/db
access to attrs=userPassword
  by anonymous auth
  by * none
access to dn.subtree="${SLAPD_BASE_DN}"
  by dn.exact="${SLAPD_SERVICE_DN}" read
  by self read
  by * none
# Operation counters for bench:cluster (cn=Operations,cn=Monitor), readable by the admin only.
database monitor
access to dn.subtree="cn=Monitor"
  by dn.exact="${SLAPD_ADMIN_DN}" read
  by * none
`;
}

/** {SSHA}: SHA-1 of password + salt, then the salt, base64 (slappasswd's default). */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

interface SeedUser {
  username: string;
  password: string;
  enabled?: boolean;
  locked?: boolean;
  protected?: boolean;
  attributes?: Record<string, string | string[]>;
}

const LDAP_NAMES: Record<string, string> = {
  affiliation: 'eduPersonAffiliation',
  entitlement: 'eduPersonEntitlement',
  impersonatableUsernames: 'idpImpersonatableUsername',
  impersonatableServices: 'idpImpersonatableService',
};

function entry(dn: string, lines: [string, string][]): string {
  return [`dn: ${dn}`, ...lines.map(([k, v]) => `${k}:: ${Buffer.from(v).toString('base64')}`)]
    .join('\n')
    .concat('\n');
}

/**
 * An account entry. The states follow the IdP's LDAP defaults: locked = pwdAccountLockedTime
 * present; disabled and protected = employeeType values (the test directory's configuration).
 */
function accountEntry(user: SeedUser, parent = SLAPD_PEOPLE_DN): string {
  const lines: [string, string][] = [
    ['objectClass', 'inetOrgPerson'],
    ['objectClass', 'eduPerson'],
    ['objectClass', 'idpTestAccount'],
    ['uid', user.username],
    ['cn', user.username],
    ['sn', user.username],
    ['userPassword', ssha(user.password)],
  ];
  if (user.enabled === false) lines.push(['employeeType', 'disabled']);
  if (user.protected) lines.push(['employeeType', 'protected']);
  if (user.locked) lines.push(['pwdAccountLockedTime', '000001010000Z']);
  for (const [name, value] of Object.entries(user.attributes ?? {}))
    for (const v of Array.isArray(value) ? value : [value])
      lines.push([LDAP_NAMES[name] ?? name, v]);
  return entry(`uid=${user.username},${parent}`, lines);
}

/** Accounts beyond the demo's, for the directory tests. */
const TEST_USERS: [SeedUser, string?][] = [
  [{ username: 'frank', password: 'demo-frank', locked: true }],
  [{ username: 'gina', password: 'demo-gina', enabled: false }],
  // One uid in two places: a name that resolves to two entries is refused.
  [{ username: 'twin', password: 'demo-twin' }],
  [{ username: 'twin', password: 'demo-twin' }, `ou=staff,${SLAPD_PEOPLE_DN}`],
  // Below ou=people: found by a subtree search only.
  [{ username: 'henry', password: 'demo-henry' }, `ou=staff,${SLAPD_PEOPLE_DN}`],
];

/** The LDIF of the test directory: the tree, the service account, the demo and test accounts. */
function directoryLdif(): string {
  const sources = { home: tmpdir(), confDir: DEFAULT_CONF_DIR, env: {} };
  const { lookup } = loadIdpProperties(sources);
  const expand = (text: string) =>
    expandReferences(text, lookup, { file: 'demo-users.yaml', key: 'users' });
  const seed = parse(readFileSync(path.join(DEFAULT_CONF_DIR, 'demo-users.yaml'), 'utf8')) as {
    users: SeedUser[];
  };
  for (const user of seed.users)
    for (const [name, value] of Object.entries(user.attributes ?? {}))
      user.attributes![name] = Array.isArray(value) ? value.map(expand) : expand(value);
  const org = (dn: string, ou: string) =>
    entry(dn, [
      ['objectClass', 'organizationalUnit'],
      ['ou', ou],
    ]);
  return [
    entry(SLAPD_BASE_DN, [
      ['objectClass', 'dcObject'],
      ['objectClass', 'organization'],
      ['o', 'Example'],
      ['dc', 'example'],
    ]),
    org(SLAPD_PEOPLE_DN, 'people'),
    org(`ou=staff,${SLAPD_PEOPLE_DN}`, 'staff'),
    org(`ou=services,${SLAPD_BASE_DN}`, 'services'),
    entry(SLAPD_SERVICE_DN, [
      ['objectClass', 'organizationalRole'],
      ['objectClass', 'simpleSecurityObject'],
      ['cn', 'idp-search'],
      ['userPassword', ssha(SLAPD_SERVICE_PASSWORD)],
    ]),
    ...seed.users.map((u) => accountEntry(u)),
    ...TEST_USERS.map(([u, parent]) => accountEntry(u, parent)),
  ].join('\n');
}

export interface SlapdOptions {
  /**
   * Also serve TLS: a certificate for 127.0.0.1 (self-signed, written to `tls.caFile` for the
   * client to trust), StartTLS on the ldap:// port and LDAPS on a second one.
   */
  readonly tls?: boolean;
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const binary = requireServerBinary('slapd');
  const slapadd = path.join(path.dirname(binary), 'slapadd');
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'slapd-'));
  mkdirSync(path.join(dir, 'db'));
  writeFileSync(path.join(dir, 'test.schema'), SCHEMA);
  const tls = options.tls ? await serverCertificate(dir, await freePort()) : undefined;
  const conf = path.join(dir, 'slapd.conf');
  writeFileSync(conf, (tls ? tls.conf : '') + slapdConf(dir));
  writeFileSync(path.join(dir, 'data.ldif'), directoryLdif());
  execFileSync(slapadd, ['-q', '-f', conf, '-l', path.join(dir, 'data.ldif')], { stdio: 'pipe' });
  const url = `ldap://127.0.0.1:${port}`;

  let child: ChildProcess | undefined;
  const launch = async () => {
    // -d 0: stay in the foreground (so the child is slapd itself) without debug output.
    const urls = [`${url}/`, ...(tls ? [`${tls.ldapsURL}/`] : [])].join(' ');
    child = spawn(binary, ['-d', '0', '-f', conf, '-h', urls], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
    if (tls) await waitForPort(tls.port, 10_000);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    await killProcess(c);
  };
  await launch();
  return {
    port,
    url,
    tls: tls && { ldapsURL: tls.ldapsURL, caFile: tls.caFile },
    properties: {
      'idp.directory.type': 'ldap',
      'idp.authn.LDAP.ldapURL': url,
      'idp.authn.LDAP.baseDN': SLAPD_PEOPLE_DN,
      'idp.authn.LDAP.bindDN': SLAPD_SERVICE_DN,
      'idp.authn.LDAP.bindDNCredential': SLAPD_SERVICE_PASSWORD,
      'idp.authn.LDAP.attributeMap': SLAPD_ATTRIBUTE_MAP,
      'idp.authn.LDAP.disabledAttribute': 'employeeType',
      'idp.authn.LDAP.disabledValue': 'disabled',
      'idp.authn.LDAP.protectedAttribute': 'employeeType',
      'idp.authn.LDAP.protectedValue': 'protected',
    },
    pause: () => stopProcess(child),
    resume: () => void child?.kill('SIGCONT'),
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    operations: () => completedOperations(url),
  };
}

/** A certificate for 127.0.0.1, its key, and the slapd.conf lines that serve it. */
async function serverCertificate(dir: string, port: number) {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const caFile = path.join(dir, 'server.pem');
  const keyFile = path.join(dir, 'server.key');
  writeFileSync(caFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return {
    port,
    caFile,
    ldapsURL: `ldaps://127.0.0.1:${port}`,
    conf: `TLSCertificateFile ${caFile}\nTLSCertificateKeyFile ${keyFile}\n`,
  };
}

/** cn=Bind and cn=Search under cn=Operations,cn=Monitor: their monitorOpCompleted, as the admin reads them. */
async function completedOperations(url: string): Promise<{ bind: number; search: number }> {
  const client = new Client({ url });
  try {
    await client.bind(SLAPD_ADMIN_DN, SLAPD_ADMIN_PASSWORD);
    const { searchEntries } = await client.search('cn=Operations,cn=Monitor', {
      scope: 'one',
      attributes: ['cn', 'monitorOpCompleted'],
    });
    const count = (cn: string) =>
      Number(searchEntries.find((e) => String(e.cn) === cn)?.monitorOpCompleted ?? NaN);
    return { bind: count('Bind'), search: count('Search') };
  } finally {
    await client.unbind();
  }
}
