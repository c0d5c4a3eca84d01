/**
 * The LDAP user directory against a real slapd (test/support/slapd.ts) holding the demo accounts:
 * passwords checked by binding (never an empty one), names that would be wildcards or filter
 * injections finding nothing, the attribute map giving what the SQLite directory gives, account
 * states, a name matching two entries refused, one-level and subtree searches, the pool reused
 * and healed, and a directory that is down or stopped failing with DIRECTORY_FAILED rather than
 * hanging — then working again without a restart of the IdP.
 */
import { tmpdir } from 'node:os';
import { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadIdpProperties } from '../../src/config/idp-properties.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import type { LdapUserDirectory } from '../../src/directory/ldap-user-directory.js';
import { accountFilter } from '../../src/directory/ldap-user-directory.js';
import { SqliteUserDirectory } from '../../src/directory/sqlite-user-directory.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';
import {
  SLAPD_ADMIN_DN,
  SLAPD_ADMIN_PASSWORD,
  SLAPD_PEOPLE_DN,
  SLAPD_SERVICE_DN,
  SLAPD_SERVICE_PASSWORD,
  startSlapd,
  type Slapd,
} from '../support/slapd.js';
import { directoryFailure, ldapDirectory, LDAP_NAME_RULES } from '../support/ldap-directory.js';
import { serversAvailable } from '../support/system-servers.js';

let slapd: Slapd;
const warnings: string[] = [];
const opened: LdapUserDirectory[] = [];

function directory(properties: Record<string, string> = {}): LdapUserDirectory {
  return ldapDirectory(slapd, properties, opened, (m: string) => warnings.push(m));
}

/** A search as the service account (or another), straight through ldapts (no IdP code in between). */
async function serviceSearch(
  filter: string,
  attributes?: string[],
  as = { dn: SLAPD_SERVICE_DN, password: SLAPD_SERVICE_PASSWORD },
) {
  const client = new Client({ url: slapd.url, timeout: 5000 });
  try {
    await client.bind(as.dn, as.password);
    return (await client.search(SLAPD_PEOPLE_DN, { scope: 'sub', filter, attributes }))
      .searchEntries;
  } finally {
    await client.unbind();
  }
}

describe.runIf(serversAvailable('slapd'))('LdapUserDirectory on a real slapd', () => {
  beforeAll(async () => {
    slapd = await startSlapd();
  });
  afterEach(() => {
    warnings.length = 0;
  });
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await slapd?.close();
  });

  describe('passwords, checked by binding', () => {
    it('accepts the right password and refuses a wrong one', async () => {
      const d = directory();
      expect(await d.authenticate('alice', 'demo-alice')).toBe(true);
      expect(await d.authenticate('alice', 'demo-bob')).toBe(false);
      expect(await d.authenticate('alice', 'demo-alice ')).toBe(false);
    });

    it('never sends an empty password: not even a connection is opened', async () => {
      const d = directory();
      expect(await d.authenticate('alice', '')).toBe(false);
      expect(d.connectionsOpened).toBe(0);
    });

    it('refuses an unknown account, which has no state and no attributes', async () => {
      const d = directory();
      expect(await d.authenticate('nobody', 'demo-nobody')).toBe(false);
      expect(await d.accountState('nobody')).toBe('absent');
      expect(await d.lookup('nobody')).toBeUndefined();
      expect(await d.isProtected('nobody')).toBe(false);
    });

    it('binds once for every refused password, whether the account exists or not (no timing oracle)', async () => {
      const d = directory();
      await d.authenticate('alice', 'demo-alice'); // the pool's connection is open and bound
      const binds = async (name: string, password: string) => {
        const before = (await slapd.operations()).bind;
        expect(await d.authenticate(name, password)).toBe(false);
        // The user's bind, then the service account's before the next search: two per attempt.
        return (await slapd.operations()).bind - before;
      };
      const wrong = await binds('alice', 'wrong');
      expect(wrong).toBeGreaterThan(0);
      expect(await binds('nobody', 'demo-nobody')).toBe(wrong);
      expect(await binds('gina', 'demo-gina')).toBe(wrong); // disabled
    });

    it('lets the service account read entries but not their userPassword', async () => {
      const [alice] = await serviceSearch('(uid=alice)', ['userPassword', 'mail']);
      expect(alice).toMatchObject({ mail: 'alice@example.org' });
      expect(alice!.userPassword ?? []).toEqual([]);
      // The directory's manager can: the ACL, not an absent value, keeps it from the service.
      const [managed] = await serviceSearch('(uid=alice)', ['userPassword'], {
        dn: SLAPD_ADMIN_DN,
        password: SLAPD_ADMIN_PASSWORD,
      });
      expect(String(managed!.userPassword)).toMatch(/^\{SSHA\}/);
    });
  });

  describe('names that could be filters', () => {
    const INJECTIONS = ['*', '*)(uid=*', 'alice)(|(uid=*', 'al*', 'alice\\2a', 'alice\u0000'];

    it.each(INJECTIONS)('%j is refused by the name rule and finds nothing', async (name) => {
      const d = directory();
      expect(d.canonicalName(name).ok).toBe(false);
      expect(await d.authenticate(name, 'demo-alice')).toBe(false);
      expect(await d.lookup(name)).toBeUndefined();
      expect(await d.accountState(name)).toBe('absent');
      expect(await d.isProtected(name)).toBe(true);
    });

    it.each(INJECTIONS)(
      '%j, escaped into the filter, matches no entry on the server',
      async (name) => {
        // Without escaping, (uid=*) would match every account: the escaped filter must match none.
        expect((await serviceSearch('(uid=*)')).length).toBeGreaterThan(5);
        expect(await serviceSearch(accountFilter('(uid={user})', name))).toEqual([]);
      },
    );

    it('escapes every filter metacharacter (RFC 4515)', () => {
      expect(accountFilter('(&(objectClass=person)(uid={user}))', '*)(uid=*')).toBe(
        '(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a))',
      );
      expect(accountFilter('(uid={user})', 'a\\b\u0000')).toBe('(uid=a\\5cb\\00)');
    });

    it('refuses Unicode look-alikes and mixed scripts, and folds case to the one name', async () => {
      const d = directory();
      for (const name of ['аlice', 'аlісе', 'ａｌｉｃｅ\u200b']) {
        expect(d.canonicalName(name).ok).toBe(false);
        expect(await d.authenticate(name, 'demo-alice')).toBe(false);
      }
      expect(d.canonicalName('ALICE')).toEqual({ ok: true, name: 'alice' });
      // Only the canonical form is looked up; anything else is a caller's mistake and finds nothing.
      expect(await d.lookup('ALICE')).toBeUndefined();
    });
  });

  describe('attributes and states', () => {
    it('gives the attributes the SQLite directory gives for the same seed', async () => {
      const props = loadIdpProperties({ home: tmpdir(), confDir: DEFAULT_CONF_DIR, env: {} });
      const db = openSqliteDatabase(':memory:');
      const sqlite = await SqliteUserDirectory.open(db, LDAP_NAME_RULES, {
        file: props.directory.seedFile,
        lookup: props.lookup,
      });
      const d = directory();
      for (const account of ['alice', 'bob', 'carol', 'admin']) {
        const fromLdap = await d.lookup(account);
        expect(fromLdap).toEqual(await sqlite.lookup(account));
      }
      expect(await d.lookup('alice')).toMatchObject({
        uid: ['alice'],
        displayName: ['Alice Tester'],
        affiliation: ['member', 'staff'],
        impersonatableUsernames: ['bob', 'carol'],
      });
      db.close();
    });

    it('reads only mapped attributes, under their mapped names', async () => {
      const d = directory({ 'idp.authn.LDAP.attributeMap': 'mail=email, sn=surname' });
      expect(await d.lookup('bob')).toEqual({
        uid: ['bob'],
        email: ['bob@example.org'],
        surname: ['bob'],
      });
    });

    it('reads the states: locked, disabled, protected, active', async () => {
      const d = directory();
      expect(await d.accountState('alice')).toBe('active');
      expect(await d.accountState('frank')).toBe('locked');
      expect(await d.accountState('gina')).toBe('disabled');
      expect(await d.isProtected('admin')).toBe(true);
      expect(await d.isProtected('alice')).toBe(false);
      expect(await d.accountState('admin')).toBe('active');
    });

    it('refuses the right password of a locked or disabled account; a disabled one has no attributes', async () => {
      const d = directory();
      expect(await d.authenticate('frank', 'demo-frank')).toBe(false);
      expect(await d.authenticate('gina', 'demo-gina')).toBe(false);
      expect(await d.lookup('frank')).toMatchObject({ uid: ['frank'] });
      expect(await d.lookup('gina')).toBeUndefined();
    });

    it('takes the locked state from the configured attribute', async () => {
      const d = directory({
        'idp.authn.LDAP.lockedAttribute': 'employeeType',
        'idp.authn.LDAP.disabledAttribute': '',
        'idp.authn.LDAP.disabledValue': '',
      });
      expect(await d.accountState('gina')).toBe('locked'); // employeeType present
      expect(await d.accountState('frank')).toBe('active'); // pwdAccountLockedTime no longer read
    });

    it('refuses a name that matches two entries, and logs it', async () => {
      const d = directory({ 'idp.authn.LDAP.subtreeSearch': 'true' });
      expect(await d.authenticate('twin', 'demo-twin')).toBe(false);
      expect(await d.lookup('twin')).toBeUndefined();
      expect(await d.accountState('twin')).toBe('absent');
      expect(await d.isProtected('twin')).toBe(true);
      expect(warnings.join('\n')).toMatch(/'twin' matches more than one entry.*refused/);
    });

    it('searches one level below the base DN, or the whole subtree', async () => {
      expect(await directory().authenticate('henry', 'demo-henry')).toBe(false);
      expect(await directory().accountState('twin')).toBe('active'); // the one at one level
      const sub = directory({ 'idp.authn.LDAP.subtreeSearch': 'true' });
      expect(await sub.authenticate('henry', 'demo-henry')).toBe(true);
    });
  });

  describe('the connection pool', () => {
    it('reuses one connection for requests one after another', async () => {
      const d = directory();
      for (let i = 0; i < 5; i++) {
        expect(await d.authenticate('bob', 'demo-bob')).toBe(true);
        expect(await d.lookup('bob')).toBeDefined();
      }
      expect(d.connectionsOpened).toBe(1);
    });

    it('opens no more than poolMaxSize connections for concurrent requests', async () => {
      const d = directory({ 'idp.authn.LDAP.poolMaxSize': '2' });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2 === 0 ? d.authenticate('carol', 'demo-carol') : d.authenticate('carol', 'wrong'),
        ),
      );
      expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i % 2 === 0));
      expect(d.connectionsOpened).toBeLessThanOrEqual(2);
    });

    it('refuses a wrong service account password with DIRECTORY_FAILED', async () => {
      const d = directory({ 'idp.authn.LDAP.bindDNCredential': 'not-the-password' });
      const err = await directoryFailure(d.authenticate('alice', 'demo-alice'));
      expect(err.code).toBe('DIRECTORY_FAILED');
      expect(err.message).not.toContain('not-the-password');
    });
  });

  describe('when the directory fails', () => {
    it('replaces a connection the server dropped', async () => {
      const d = directory();
      expect(await d.authenticate('dave', 'demo-dave')).toBe(true);
      expect(d.connectionsOpened).toBe(1);
      await slapd.restart(); // every connection is closed by the server
      expect(await d.authenticate('dave', 'demo-dave')).toBe(true);
      expect(d.connectionsOpened).toBe(2);
    });

    it('fails with DIRECTORY_FAILED while slapd is down, and works again once it is back', async () => {
      const d = directory();
      expect(await d.authenticate('erin', 'demo-erin')).toBe(true);
      await slapd.stop();
      try {
        for (const work of [
          d.authenticate('erin', 'demo-erin'),
          d.lookup('erin'),
          d.accountState('erin'),
          d.isProtected('erin'),
        ])
          expect((await directoryFailure(work)).code).toBe('DIRECTORY_FAILED');
      } finally {
        await slapd.restart();
      }
      expect(await d.authenticate('erin', 'demo-erin')).toBe(true);
      expect(await d.lookup('erin')).toMatchObject({ uid: ['erin'] });
    });

    it('fails with a timeout, not a hang, while slapd does not answer', async () => {
      const d = directory({
        'idp.authn.LDAP.responseTimeout': 'PT0.5S',
        'idp.authn.LDAP.connectTimeout': 'PT0.5S',
      });
      expect(await d.authenticate('bob', 'demo-bob')).toBe(true);
      slapd.pause();
      try {
        const err = await directoryFailure(d.authenticate('bob', 'demo-bob'));
        expect(err.code).toBe('DIRECTORY_FAILED');
        expect(err.message).toMatch(/timed out|took over|busy/);
        // A fresh connection to a stopped server: accepted by the kernel, never answered.
        const fresh = directory({ 'idp.authn.LDAP.responseTimeout': 'PT0.5S' });
        expect((await directoryFailure(fresh.lookup('bob'))).code).toBe('DIRECTORY_FAILED');
      } finally {
        slapd.resume();
      }
      expect(await d.authenticate('bob', 'demo-bob')).toBe(true);
    });
  });
});
