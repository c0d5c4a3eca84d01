/**
 * Every table of the embedded SQLite database, and the versions of its schema. The stores prepare
 * their statements against these tables and never create or alter them; opening the database
 * (sqlite-database.ts) brings the file to SCHEMA_VERSION first.
 *
 * | table                | kept by                                      | holds                                   |
 * |----------------------|----------------------------------------------|-----------------------------------------|
 * | accounts             | src/directory/sqlite-user-directory.ts       | password hash, enabled, locked, protected |
 * | account_attributes   | src/directory/sqlite-user-directory.ts       | attribute values of each account        |
 * | idp_sessions         | src/session/sqlite-session-store.ts          | express-session's IdP sessions          |
 * | flow_executions      | src/session/sqlite-flow-execution-store.ts   | parked forms (one-time keys)            |
 * | login_failures       | src/authn/sqlite-login-throttle.ts           | failed logins per account and address   |
 * | oidc_models          | src/frontend/oidc/sqlite-oidc-adapter.ts     | oidc-provider's sessions, grants, tokens|
 * | oidc_authorizations  | src/frontend/oidc/authorization-records.ts   | what the IdP decided for each grant     |
 * | persistent_ids       | src/frontend/saml/nameid/sqlite-persistent-id-store.ts | SAML persistent NameIDs  |
 *
 * The version is the file's `PRAGMA user_version`: 0 for a database made before versioning (or a
 * new, empty file), then the version of the last migration applied. Opening a file applies the
 * migrations above its version, in order, in one transaction with the new version, so a file is
 * always at exactly one listed version. A file whose version is above SCHEMA_VERSION was written by
 * a later release and is refused (SchemaVersionError): this code does not know its tables.
 *
 * Changing the schema: append a migration with the next version and add a test of it to
 * test/storage/sqlite-schema.test.ts; never edit one that has been released, since files already
 * at its version will not run it again. A migration from version 2 on
 * runs only on a file exactly at the version before it, so it is written plainly (no IF NOT EXISTS,
 * no looking at columns). Migrations run with foreign keys off, so a table can be rebuilt the way
 * SQLite documents (https://www.sqlite.org/lang_altertable.html#otheralter) without its DROP
 * cascading into account_attributes. Nothing checks the keys afterwards: a file may already hold
 * attributes of accounts deleted by a tool that had foreign keys off (the sqlite3 shell's default),
 * and such rows must not stop the IdP from starting.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigurationError, IdpError } from '../core/errors.js';
import { isBusy } from './sqlite-busy.js';

/** sqlite-database.ts's SqliteDatabase, named here so the two modules do not import each other. */
type SqliteDatabase = BetterSqlite3.Database;

interface Migration {
  /** The schema version a file is at once this migration has run: 1, 2, 3 … in order. */
  readonly version: number;
  readonly description: string;
  readonly up: (db: SqliteDatabase) => void;
}

const hasTable = (db: SqliteDatabase, table: string): boolean =>
  db
    .prepare<[string], { n: number }>(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
    )
    .get(table)!.n > 0;

const columnsOf = (db: SqliteDatabase, table: string): string[] =>
  db
    .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
    .all(table)
    .map((c) => c.name);

/** Every table and index of version 1, as the stores created them before versioning. */
const SCHEMA_V1 = `
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

    CREATE TABLE IF NOT EXISTS idp_sessions (
      sid TEXT PRIMARY KEY,
      data TEXT NOT NULL,
      expires INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS idp_sessions_expires ON idp_sessions (expires);

    CREATE TABLE IF NOT EXISTS flow_executions (
      key TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      expires INTEGER NOT NULL,
      data TEXT NOT NULL
    );
    -- Expired executions are removed on every save; the index keeps that from scanning the table.
    CREATE INDEX IF NOT EXISTS flow_executions_expires ON flow_executions (expires);

    CREATE TABLE IF NOT EXISTS login_failures (username TEXT NOT NULL, address TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS login_failures_by_pair ON login_failures (username, address, at);
    CREATE INDEX IF NOT EXISTS login_failures_by_user ON login_failures (username, at);
    CREATE INDEX IF NOT EXISTS login_failures_by_time ON login_failures (at);

    CREATE TABLE IF NOT EXISTS oidc_models (
      model TEXT NOT NULL,
      id TEXT NOT NULL,
      payload TEXT NOT NULL,
      grant_id TEXT,
      user_code TEXT,
      uid TEXT,
      expires_at INTEGER,
      consumed_at INTEGER,
      PRIMARY KEY (model, id)
    );
    CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (grant_id);
    CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid);
    CREATE INDEX IF NOT EXISTS oidc_models_user_code ON oidc_models (model, user_code);
    CREATE INDEX IF NOT EXISTS oidc_models_expires ON oidc_models (expires_at);

    CREATE TABLE IF NOT EXISTS oidc_authorizations (
      grant_id TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL,
      record TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS oidc_authorizations_expires ON oidc_authorizations (expires_at);
  `;

/**
 * Version 1 is the schema the stores created for themselves before versioning, statement for
 * statement. It is the one migration that meets a database already holding tables — any file an
 * earlier release made, each table created when its store first started — so it keeps what is
 * there (IF NOT EXISTS) and first brings the two shapes that changed since the first release up
 * to date, as the stores did on every start.
 */
function schemaAsBeforeVersioning(db: SqliteDatabase): void {
  // login_failures first counted by account alone; its rows are at most one failure window old,
  // so such a table is replaced rather than converted.
  if (hasTable(db, 'login_failures') && !columnsOf(db, 'login_failures').includes('address'))
    db.exec('DROP TABLE login_failures');
  // accounts had no locked column at first; its accounts are not locked.
  if (hasTable(db, 'accounts') && !columnsOf(db, 'accounts').includes('locked')) {
    db.exec('ALTER TABLE accounts ADD COLUMN locked INTEGER NOT NULL DEFAULT 0');
  }
  db.exec(SCHEMA_V1);
}

/**
 * Version 2: accounts get the `protected` flag (Windows' "account is sensitive and cannot be
 * delegated"): a protected account is never impersonated, whatever the policies say. Every account
 * already in the file is not protected.
 */
function protectedAccounts(db: SqliteDatabase): void {
  db.exec('ALTER TABLE accounts ADD COLUMN protected INTEGER NOT NULL DEFAULT 0');
}

/**
 * Version 3: the SAML persistent NameIDs (Shibboleth's shibpid table), one per IdP entity, SP
 * namespace (SPNameQualifier) and account. An identifier is unique within its IdP and SP, so it
 * names one account there.
 */
function persistentIds(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE persistent_ids (
      idp_entity TEXT NOT NULL,
      sp_qualifier TEXT NOT NULL,
      principal TEXT NOT NULL,
      persistent_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (idp_entity, sp_qualifier, principal),
      UNIQUE (idp_entity, sp_qualifier, persistent_id)
    )`);
}

/** In order; the last one's version is SCHEMA_VERSION. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'the tables and indexes as the stores created them before versioning',
    up: schemaAsBeforeVersioning,
  },
  {
    version: 2,
    description: 'the protected flag of accounts',
    up: protectedAccounts,
  },
  {
    version: 3,
    description: 'the persistent NameIDs of SAML service providers',
    up: persistentIds,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** A database file written by a later release than this code: its schema is unknown here. */
export class SchemaVersionError extends ConfigurationError {
  constructor(
    file: string,
    readonly found: number,
  ) {
    super(
      file,
      'PRAGMA user_version',
      `schema version ${found} is newer than this IdP knows (${SCHEMA_VERSION}): the file was written by a later release; run that release, or a backup of the file made for this one`,
    );
    this.name = 'SchemaVersionError';
  }
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a file whose schema is newer than this code; `file` names it in the error. */
export function assertKnownSchema(db: SqliteDatabase, file: string): number {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) throw new SchemaVersionError(file, version);
  return version;
}

/**
 * Brings the database to SCHEMA_VERSION: the missing migrations and the new user_version in one
 * transaction (all or nothing). A file already there is only read, so opening it needs no write
 * lock. `file` names the database in errors.
 */
export function applySchema(db: SqliteDatabase, file: string): void {
  if (assertKnownSchema(db, file) === SCHEMA_VERSION) return;
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF'); // has no effect inside a transaction, hence before it
  try {
    db.transaction(() => {
      // Another process may have migrated the file since the version was read above.
      const from = assertKnownSchema(db, file);
      for (const migration of MIGRATIONS) {
        if (migration.version <= from) continue;
        try {
          migration.up(db);
        } catch (err) {
          if (isBusy(err)) throw err;
          throw new ConfigurationError(
            file,
            `schema version ${migration.version} (${migration.description})`,
            `could not be applied: ${(err as Error).message}`,
            { cause: err },
          );
        }
      }
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } catch (err) {
    if (isBusy(err)) {
      throw new IdpError(
        'STORAGE_BUSY',
        `${file}: another process holds a lock on the database; its schema could not be brought to version ${SCHEMA_VERSION}`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys}`);
  }
}
