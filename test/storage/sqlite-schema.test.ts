/**
 * The schema of the SQLite file and its versions (src/storage/sqlite-schema.ts), on real files: a
 * new file gets every table at the latest version; files left by the releases before versioning
 * (user_version 0) are taken over with their rows; a version-1 file gets version 2's protected
 * column and keeps its rows; a version-2 file gets version 3's persistent_ids table and keeps its rows; a file from a later release is refused; opening
 * an up-to-date file changes nothing and needs no write lock.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLoginThrottle } from '../../src/authn/sqlite-login-throttle.js';
import { ConfigurationError, IdpError } from '../../src/core/errors.js';
import { SqliteUserDirectory } from '../../src/directory/sqlite-user-directory.js';
import {
  openSqliteDatabase,
  openSqliteDatabaseReadOnly,
  type SqliteDatabase,
} from '../../src/storage/sqlite-database.js';
import {
  applySchema,
  MIGRATIONS,
  SCHEMA_VERSION,
  SchemaVersionError,
  schemaVersion,
} from '../../src/storage/sqlite-schema.js';

const TABLES = [
  'account_attributes',
  'accounts',
  'flow_executions',
  'idp_sessions',
  'login_failures',
  'oidc_authorizations',
  'oidc_models',
  'persistent_ids',
];
/** The tables before version 3, whose rows a migration keeps. */
const TABLES_V2 = TABLES.filter((t) => t !== 'persistent_ids');
const INDEXES = [
  'flow_executions_expires',
  'idp_sessions_expires',
  'login_failures_by_pair',
  'login_failures_by_time',
  'login_failures_by_user',
  'oidc_authorizations_expires',
  'oidc_models_expires',
  'oidc_models_grant',
  'oidc_models_uid',
  'oidc_models_user_code',
];

/** What the stores created in their constructors in the last release before versioning (dc204ab). */
const LAST_UNVERSIONED = `
  CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    locked INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS account_attributes (
    username TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (username, name, position)
  );
  CREATE TABLE IF NOT EXISTS idp_sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS idp_sessions_expires ON idp_sessions (expires);
  CREATE TABLE IF NOT EXISTS flow_executions (key TEXT PRIMARY KEY, session_id TEXT NOT NULL, expires INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS flow_executions_expires ON flow_executions (expires);
  CREATE TABLE IF NOT EXISTS login_failures (username TEXT NOT NULL, address TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS login_failures_by_pair ON login_failures (username, address, at);
  CREATE INDEX IF NOT EXISTS login_failures_by_user ON login_failures (username, at);
  CREATE INDEX IF NOT EXISTS login_failures_by_time ON login_failures (at);
  CREATE TABLE IF NOT EXISTS oidc_models (
    model TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, grant_id TEXT, user_code TEXT, uid TEXT,
    expires_at INTEGER, consumed_at INTEGER, PRIMARY KEY (model, id)
  );
  CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (grant_id);
  CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid);
  CREATE INDEX IF NOT EXISTS oidc_models_user_code ON oidc_models (model, user_code);
  CREATE INDEX IF NOT EXISTS oidc_models_expires ON oidc_models (expires_at);
  CREATE TABLE IF NOT EXISTS oidc_authorizations (grant_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, record TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS oidc_authorizations_expires ON oidc_authorizations (expires_at);
`;

/**
 * The first release (c5a4869): no locked column, failures counted by account alone, no expiry
 * indexes, no OIDC tables.
 */
const FIRST_RELEASE = `
  CREATE TABLE accounts (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1);
  CREATE TABLE account_attributes (
    username TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
    name TEXT NOT NULL, position INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (username, name, position)
  );
  CREATE TABLE idp_sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires INTEGER NOT NULL);
  CREATE TABLE flow_executions (key TEXT PRIMARY KEY, session_id TEXT NOT NULL, expires INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE TABLE login_failures (username TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX login_failures_by_user ON login_failures (username, at);
`;

/** Version 2 over version 1: the protected flag of accounts. */
const VERSION_2 = 'ALTER TABLE accounts ADD COLUMN protected INTEGER NOT NULL DEFAULT 0';

/** Version 3 over version 2: the persistent NameIDs. */
const VERSION_3 = `
  CREATE TABLE persistent_ids (
    idp_entity TEXT NOT NULL, sp_qualifier TEXT NOT NULL, principal TEXT NOT NULL,
    persistent_id TEXT NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (idp_entity, sp_qualifier, principal),
    UNIQUE (idp_entity, sp_qualifier, persistent_id)
  )`;

const HASH = 'scrypt$16384$8$1$AAAA$AAAA';

let dir: string;
let file: string;
const open: Database.Database[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sqlite-schema-'));
  file = path.join(dir, 'idp.db');
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A connection that is not the IdP's (an older release, an admin tool): no schema applied. */
function raw(options?: Database.Options): Database.Database {
  const db = new Database(file, options);
  open.push(db);
  return db;
}

function idp(): SqliteDatabase {
  const db = openSqliteDatabase(file);
  open.push(db);
  return db;
}

/** Tables with their columns, and indexes with their columns: what the stores' statements rely on. */
function shape(db: Database.Database) {
  const objects = db
    .prepare<[], { type: string; name: string; tbl_name: string }>(
      "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();
  return objects.map((o) =>
    o.type === 'table'
      ? {
          table: o.name,
          columns: db
            .prepare(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`)
            .all(o.name),
        }
      : {
          index: o.name,
          on: o.tbl_name,
          columns: db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(o.name),
        },
  );
}

const names = (db: Database.Database, type: 'table' | 'index') =>
  db
    .prepare<[string], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all(type)
    .map((r) => r.name);

/** What opening threw; a test fails when it opened. */
function refusal(openIt: () => unknown): unknown {
  try {
    openIt();
  } catch (err) {
    return err;
  }
  throw new Error('opened');
}

const rows = (db: Database.Database, table: string) =>
  db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();

function freshShape() {
  const db = openSqliteDatabase(':memory:');
  try {
    return shape(db);
  } finally {
    db.close();
  }
}

describe('the migrations', () => {
  it('are numbered 1, 2, 3 … in order, the last being the schema version', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });
});

describe('a new file', () => {
  it('gets every table and index at the latest version', () => {
    const db = idp();
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(names(db, 'table')).toEqual(TABLES);
    expect(names(db, 'index')).toEqual(INDEXES);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('has the tables the stores created before versioning, column for column, plus version 2’s protected column and version 3’s persistent_ids', () => {
    const old = new Database(':memory:');
    old.exec(LAST_UNVERSIONED);
    old.exec(VERSION_2);
    old.exec(VERSION_3);
    expect(freshShape()).toEqual(shape(old));
    old.close();
  });
});

describe('a file from before versioning (user_version 0)', () => {
  it('from the last such release is taken over with every row', () => {
    const old = raw();
    old.exec(LAST_UNVERSIONED);
    old.exec(`
      INSERT INTO accounts VALUES ('ann', '${HASH}', 1, 1);
      INSERT INTO account_attributes VALUES ('ann', 'mail', 0, 'ann@example.org');
      INSERT INTO idp_sessions VALUES ('s1', '{}', 9999999999999);
      INSERT INTO flow_executions VALUES ('e1', 's1', 9999999999999, '{}');
      INSERT INTO login_failures VALUES ('ann', '192.0.2.1', 1);
      INSERT INTO oidc_models VALUES ('Grant', 'g1', '{}', 'g1', NULL, NULL, NULL, NULL);
      INSERT INTO oidc_authorizations VALUES ('g1', 9999999999999, '{}');
    `);
    const before = Object.fromEntries(TABLES_V2.map((t) => [t, rows(old, t)]));
    old.close();

    const db = idp();
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(Object.fromEntries(TABLES_V2.map((t) => [t, rows(db, t)]))).toEqual({
      ...before,
      accounts: [{ username: 'ann', password_hash: HASH, enabled: 1, locked: 1, protected: 0 }],
    });
    expect(shape(db)).toEqual(freshShape());
  });

  it('from the first release gets the locked column, the address-keyed failures, the indexes and the OIDC tables, and keeps its accounts', async () => {
    const old = raw();
    old.exec(FIRST_RELEASE);
    old.pragma('foreign_keys = OFF'); // as in the sqlite3 shell: an account deleted there leaves its attributes
    old.exec(`
      INSERT INTO accounts VALUES ('zed', '${HASH}', 1), ('yan', '${HASH}', 0);
      INSERT INTO account_attributes VALUES ('zed', 'mail', 0, 'zed@example.org'), ('zed', 'mail', 1, 'z@example.org');
      INSERT INTO account_attributes VALUES ('gone', 'mail', 0, 'gone@example.org');
      INSERT INTO idp_sessions VALUES ('s1', '{"a":1}', 9999999999999);
      INSERT INTO flow_executions VALUES ('e1', 's1', 9999999999999, '{}');
      INSERT INTO login_failures VALUES ('zed', 1);
    `);
    old.close();

    const db = idp();
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(shape(db)).toEqual(freshShape());
    expect(rows(db, 'accounts')).toEqual([
      { username: 'zed', password_hash: HASH, enabled: 1, locked: 0, protected: 0 },
      { username: 'yan', password_hash: HASH, enabled: 0, locked: 0, protected: 0 },
    ]);
    // Every attribute row stays, even one whose account is gone.
    expect(rows(db, 'account_attributes')).toHaveLength(3);
    expect(rows(db, 'idp_sessions')).toEqual([
      { sid: 's1', data: '{"a":1}', expires: 9999999999999 },
    ]);
    expect(rows(db, 'flow_executions')).toHaveLength(1);
    // As every release since did: failures counted by account alone are at most one window old and are replaced.
    expect(rows(db, 'login_failures')).toEqual([]);

    // The stores work on it as they are.
    const directory = await SqliteUserDirectory.open(
      db,
      { caseSensitive: false, maxLength: 64 },
      { file: '/nonexistent-seed.yaml', lookup: () => undefined },
    );
    expect(await directory.accountState('zed')).toBe('active');
    expect(await directory.accountState('yan')).toBe('disabled');
    expect(await directory.lookup('zed')).toEqual({
      uid: ['zed'],
      mail: ['zed@example.org', 'z@example.org'],
    });
    const throttle = new SqliteLoginThrottle(
      db,
      { maxFailures: 1, maxFailuresPerAccount: 0, windowMs: 60_000 },
      { maxWaitMs: 0 },
    );
    expect(await throttle.begin('zed', '192.0.2.1')).toBeUndefined();
    expect(await throttle.begin('zed', '192.0.2.1')).toBe('address');
  });

  it('with only some of the tables (a start that stopped half-way) gets the rest', () => {
    raw()
      .exec(`CREATE TABLE idp_sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires INTEGER NOT NULL);
      INSERT INTO idp_sessions VALUES ('s1', '{}', 1);`);
    const db = idp();
    expect(shape(db)).toEqual(freshShape());
    expect(rows(db, 'idp_sessions')).toHaveLength(1);
  });

  it('is left as it was when a migration fails: one transaction, and the error names the file', () => {
    // A table of the same name but another shape: the expiry index of version 1 cannot be made.
    const old = raw();
    old.exec(`${FIRST_RELEASE}
      CREATE TABLE oidc_models (model TEXT, id TEXT);
      INSERT INTO accounts VALUES ('zed', '${HASH}', 1);`);
    old.close();
    const before = statSync(file).size;

    const failure = refusal(() => openSqliteDatabase(file));
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect((failure as ConfigurationError).code).toBe('CONFIGURATION_INVALID');
    const message = (failure as Error).message;
    expect(message.startsWith(`${file}: schema version 1 (`)).toBe(true);
    expect(message).toMatch(/could not be applied: .*no such column/);

    const after = raw({ readonly: true });
    expect(schemaVersion(after)).toBe(0);
    expect(names(after, 'table')).toEqual([
      'account_attributes',
      'accounts',
      'flow_executions',
      'idp_sessions',
      'login_failures',
      'oidc_models',
    ]);
    expect(
      after
        .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('accounts')")
        .all()
        .map((c) => c.name),
    ).not.toContain('locked');
    expect(
      after
        .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('login_failures')")
        .all()
        .map((c) => c.name),
    ).not.toContain('address');
    expect(statSync(file).size).toBe(before);
  });
});

describe('a file at version 1', () => {
  it('gets the protected column of version 2, every account unprotected, and keeps every row', async () => {
    const old = raw();
    old.exec(LAST_UNVERSIONED);
    old.pragma('user_version = 1');
    old.exec(`
      INSERT INTO accounts VALUES ('ann', '${HASH}', 1, 0), ('ben', '${HASH}', 0, 1);
      INSERT INTO account_attributes VALUES ('ann', 'mail', 0, 'ann@example.org');
      INSERT INTO idp_sessions VALUES ('s1', '{}', 9999999999999);
      INSERT INTO oidc_authorizations VALUES ('g1', 9999999999999, '{}');
    `);
    const before = Object.fromEntries(TABLES_V2.map((t) => [t, rows(old, t)]));
    old.close();

    const db = idp();
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(shape(db)).toEqual(freshShape());
    expect(Object.fromEntries(TABLES_V2.map((t) => [t, rows(db, t)]))).toEqual({
      ...before,
      accounts: [
        { username: 'ann', password_hash: HASH, enabled: 1, locked: 0, protected: 0 },
        { username: 'ben', password_hash: HASH, enabled: 0, locked: 1, protected: 0 },
      ],
    });

    // The directory reads the flag: none of the migrated accounts is protected until an admin sets it.
    const directory = await SqliteUserDirectory.open(
      db,
      { caseSensitive: false, maxLength: 64 },
      { file: '/nonexistent-seed.yaml', lookup: () => undefined },
    );
    expect(await directory.isProtected('ann')).toBe(false);
    db.exec("UPDATE accounts SET protected = 1 WHERE username = 'ann'");
    expect(await directory.isProtected('ann')).toBe(true);
    expect(await directory.accountState('ann')).toBe('active');
    expect(await directory.isProtected('nobody')).toBe(false);
  });

  it('is left at version 1 when version 2 fails: one transaction', () => {
    const old = raw();
    old.exec(LAST_UNVERSIONED);
    // A column of that name already (an admin tool's own): version 2 cannot add it.
    old.exec('ALTER TABLE accounts ADD COLUMN protected TEXT');
    old.pragma('user_version = 1');
    old.close();

    const failure = refusal(() => openSqliteDatabase(file));
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect((failure as Error).message.startsWith(`${file}: schema version 2 (`)).toBe(true);
    expect(schemaVersion(raw({ readonly: true }))).toBe(1);
  });
});

describe('a file at version 2', () => {
  it('gets the persistent_ids table of version 3, empty, and keeps every row', () => {
    const old = raw();
    old.exec(LAST_UNVERSIONED);
    old.exec(VERSION_2);
    old.pragma('user_version = 2');
    old.exec(`
      INSERT INTO accounts VALUES ('ann', '${HASH}', 1, 0, 1);
      INSERT INTO account_attributes VALUES ('ann', 'mail', 0, 'ann@example.org');
      INSERT INTO idp_sessions VALUES ('s1', '{}', 9999999999999);
    `);
    const before = Object.fromEntries(TABLES_V2.map((t) => [t, rows(old, t)]));
    old.close();

    const db = idp();
    expect(schemaVersion(db)).toBe(3);
    expect(shape(db)).toEqual(freshShape());
    expect(Object.fromEntries(TABLES_V2.map((t) => [t, rows(db, t)]))).toEqual(before);
    expect(rows(db, 'persistent_ids')).toEqual([]);
    // One identifier per IdP, SP and account; an identifier names one account at its SP.
    const insert = db.prepare('INSERT INTO persistent_ids VALUES (?, ?, ?, ?, 1)');
    insert.run('idp', 'sp', 'ann', 'id-1');
    insert.run('idp', 'sp2', 'ann', 'id-1');
    expect(() => insert.run('idp', 'sp', 'ann', 'id-2')).toThrow(/UNIQUE/);
    expect(() => insert.run('idp', 'sp', 'ben', 'id-1')).toThrow(/UNIQUE/);
  });

  it('is left at version 2 when version 3 fails: one transaction', () => {
    const old = raw();
    old.exec(LAST_UNVERSIONED);
    old.exec(VERSION_2);
    old.exec('CREATE TABLE persistent_ids (x TEXT)'); // an admin tool's own table of that name
    old.pragma('user_version = 2');
    old.close();

    const failure = refusal(() => openSqliteDatabase(file));
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect((failure as Error).message.startsWith(`${file}: schema version 3 (`)).toBe(true);
    expect(schemaVersion(raw({ readonly: true }))).toBe(2);
  });
});

describe('a file from a later release', () => {
  beforeEach(() => {
    const later = raw();
    later.exec('CREATE TABLE accounts (username TEXT PRIMARY KEY, something_new TEXT)');
    later.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    later.close();
  });

  it('is refused at open, naming the file and both versions, and left untouched', () => {
    const failure = refusal(() => openSqliteDatabase(file));
    expect(failure).toBeInstanceOf(SchemaVersionError);
    expect(failure).toBeInstanceOf(IdpError);
    expect((failure as IdpError).code).toBe('CONFIGURATION_INVALID');
    expect((failure as SchemaVersionError).file).toBe(file);
    expect((failure as Error).message).toBe(
      `${file}: PRAGMA user_version: schema version ${SCHEMA_VERSION + 1} is newer than this IdP knows (${SCHEMA_VERSION}): the file was written by a later release; run that release, or a backup of the file made for this one`,
    );
    const after = raw({ readonly: true });
    expect(schemaVersion(after)).toBe(SCHEMA_VERSION + 1);
    expect(names(after, 'table')).toEqual(['accounts']);
  });

  it('is refused by a read-only reader too', () => {
    expect(refusal(() => openSqliteDatabaseReadOnly(file))).toBeInstanceOf(SchemaVersionError);
  });
});

describe('applying the schema again', () => {
  it('changes nothing', () => {
    const db = idp();
    db.prepare("INSERT INTO accounts VALUES ('ann', ?, 1, 0, 1)").run(HASH);
    const before = { shape: shape(db), accounts: rows(db, 'accounts') };
    applySchema(db, file);
    db.close();
    const again = idp();
    expect(schemaVersion(again)).toBe(SCHEMA_VERSION);
    expect({ shape: shape(again), accounts: rows(again, 'accounts') }).toEqual(before);
  });

  it('needs no write lock on an up-to-date file (another process may hold one at start-up)', () => {
    idp().close();
    const other = raw();
    other.exec('BEGIN IMMEDIATE');
    expect(() => idp().close()).not.toThrow();
    other.exec('ROLLBACK');
  });

  it('fails with STORAGE_BUSY, naming the file, when the file needs migrating while another process holds a write lock', () => {
    const other = raw();
    other.pragma('journal_mode = WAL'); // as every IdP file is
    other.exec(FIRST_RELEASE);
    other.exec('BEGIN IMMEDIATE');
    const failure = refusal(() => openSqliteDatabase(file));
    expect(failure).toBeInstanceOf(IdpError);
    expect((failure as IdpError).code).toBe('STORAGE_BUSY');
    expect((failure as Error).message).toContain(file);
    other.exec('ROLLBACK');
    expect(schemaVersion(idp())).toBe(SCHEMA_VERSION);
  });
});

describe('a read-only reader (the policy CLI)', () => {
  it('reads an up-to-date file in place', () => {
    idp().close();
    const db = openSqliteDatabaseReadOnly(file);
    open.push(db);
    expect(db.readonly).toBe(true);
    expect(db.name).toBe(file);
  });

  it('reads an older file through an up-to-date copy in memory and never writes the file', () => {
    const old = raw();
    old.pragma('journal_mode = WAL');
    old.exec(FIRST_RELEASE);
    old.exec(`INSERT INTO accounts VALUES ('zed', '${HASH}', 1)`);
    // Still open: the rows are in the WAL, not yet in the main file.
    const db = openSqliteDatabaseReadOnly(file);
    open.push(db);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(rows(db, 'accounts')).toEqual([
      { username: 'zed', password_hash: HASH, enabled: 1, locked: 0, protected: 0 },
    ]);
    expect(() => db.exec("INSERT INTO accounts VALUES ('new', 'x', 1, 0, 0)")).toThrow(/readonly/);
    expect(schemaVersion(old)).toBe(0);
    expect(
      old
        .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('accounts')")
        .all()
        .map((c) => c.name),
    ).toEqual(['username', 'password_hash', 'enabled']);
  });
});
