/** The SQLite directory's account states and the seed file's password rule, on real SQLite files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteUserDirectory } from '../../src/directory/sqlite-user-directory.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';

const RULES = { caseSensitive: false, maxLength: 64 };
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function seedFile(yaml: string): string {
  dir = mkdtempSync(path.join(tmpdir(), 'directory-'));
  const file = path.join(dir, 'users.yaml');
  writeFileSync(file, yaml);
  return file;
}

const open = (file: string, db = openSqliteDatabase(':memory:')) =>
  SqliteUserDirectory.open(db, RULES, { file, lookup: () => undefined });

describe('account states', () => {
  it('knows active, disabled, locked and absent accounts, and refuses the password of all but active ones', async () => {
    const directory = await open(
      seedFile(`users:
  - { username: ann, password: pw-ann }
  - { username: ben, password: pw-ben, enabled: false }
  - { username: cal, password: pw-cal, locked: true }
`),
    );
    expect(await directory.accountState('ann')).toBe('active');
    expect(await directory.accountState('ben')).toBe('disabled');
    expect(await directory.accountState('cal')).toBe('locked');
    expect(await directory.accountState('nobody')).toBe('absent');
    expect(await directory.authenticate('ann', 'pw-ann')).toBe(true);
    expect(await directory.authenticate('ben', 'pw-ben')).toBe(false);
    expect(await directory.authenticate('cal', 'pw-cal')).toBe(false);
  });

  it('reads the seed key protected: a protected account signs in as usual and is flagged', async () => {
    const directory = await open(
      seedFile(`users:
  - { username: ann, password: pw-ann }
  - { username: pat, password: pw-pat, protected: true }
  - { username: pia, password: pw-pia, protected: false }
`),
    );
    expect(await directory.isProtected('pat')).toBe(true);
    expect(await directory.isProtected('pia')).toBe(false);
    expect(await directory.isProtected('ann')).toBe(false);
    expect(await directory.isProtected('nobody')).toBe(false);
    expect(await directory.accountState('pat')).toBe('active');
    expect(await directory.authenticate('pat', 'pw-pat')).toBe(true);
  });

  it('adds the locked column to a database from before it', async () => {
    const file = seedFile('users:\n  - { username: ann, password: pw-ann }\n');
    const dbFile = path.join(dir!, 'idp.db');
    const old = new Database(dbFile);
    old.exec(`CREATE TABLE accounts (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1);
      CREATE TABLE account_attributes (username TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (username, name, position));
      INSERT INTO accounts VALUES ('zed', 'scrypt$16384$8$1$AAAA$AAAA', 1);`);
    old.close();
    const db = openSqliteDatabase(dbFile);
    const directory = await open(file, db);
    expect(await directory.accountState('zed')).toBe('active');
    db.prepare("UPDATE accounts SET locked = 1 WHERE username = 'zed'").run();
    expect(await directory.accountState('zed')).toBe('locked');
    db.close();
  });
});

describe('seed passwords', () => {
  it.each([
    ['a NUL', '"demo-dave\\0"'],
    ['a line break', '"demo\\ndave"'],
    ['a tab', '"demo\\tdave"'],
  ])('refuses a password with %s, naming the file and the key', async (_what, password) => {
    const file = seedFile(`users:\n  - username: dave\n    password: ${password}\n`);
    const failure = await open(file).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect((failure as ConfigurationError).message).toMatch(
      /users\.yaml:3: users\[0\]\.password: must not contain control characters/,
    );
  });
});
