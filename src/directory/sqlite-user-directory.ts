/**
 * The embedded user directory: accounts and their attributes in SQLite, seeded from a readable YAML
 * file (conf/demo-users.yaml) the first time the database is created.
 */
import { ConfigurationError, IdpError } from '../errors.js';
import { YamlConf } from '../config/yaml-conf.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';
import { canonicalAccountName, type AccountNameRules } from './account-name.js';
import { decoyHash, hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';
import type { SourceAttributes, UserDirectory } from './user-directory.js';

interface AccountRow {
  username: string;
  password_hash: string;
  enabled: number;
}

export class SqliteUserDirectory implements UserDirectory {
  private constructor(
    private readonly db: SqliteDatabase,
    private readonly rules: AccountNameRules,
  ) {}

  static async open(
    db: SqliteDatabase,
    rules: AccountNameRules,
    seed: { file: string; lookup: (key: string) => string | undefined },
  ): Promise<SqliteUserDirectory> {
    db.exec(`
      CREATE TABLE IF NOT EXISTS accounts (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1
      );
      CREATE TABLE IF NOT EXISTS account_attributes (
        username TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (username, name, position)
      );
    `);
    const directory = new SqliteUserDirectory(db, rules);
    const { n } = db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number };
    if (n === 0) await directory.seed(seed.file, seed.lookup);
    return directory;
  }

  canonicalName(raw: string) {
    return canonicalAccountName(raw, this.rules);
  }

  async authenticate(username: string, password: string): Promise<boolean> {
    const row = this.guard(() =>
      this.db.prepare('SELECT username, password_hash, enabled FROM accounts WHERE username = ?').get(username),
    ) as AccountRow | undefined;
    if (!row) {
      await verifyPassword(password, await decoyHash());
      return false;
    }
    const ok = await verifyPassword(password, row.password_hash);
    return ok && row.enabled === 1;
  }

  lookup(username: string): Promise<SourceAttributes | undefined> {
    return Promise.resolve(
      this.guard(() => {
        const account = this.db.prepare('SELECT enabled FROM accounts WHERE username = ?').get(username) as
          | { enabled: number }
          | undefined;
        if (!account || account.enabled !== 1) return undefined;
        const rows = this.db
          .prepare('SELECT name, value FROM account_attributes WHERE username = ? ORDER BY name, position')
          .all(username) as { name: string; value: string }[];
        const attributes: SourceAttributes = { uid: [username] };
        for (const { name, value } of rows) (attributes[name] ??= []).push(value);
        return attributes;
      }),
    );
  }

  /** Loads the seed file: account names are checked against the same rule as typed names. */
  private async seed(seedFile: string, lookup: (key: string) => string | undefined): Promise<void> {
    const conf = YamlConf.read(seedFile, lookup);
    const accounts: { username: string; hash: string; enabled: boolean; attributes: [string, string[]][] }[] = [];
    for (const user of conf.root.list('users')) {
      user.allowKeys('username', 'password', 'passwordHash', 'enabled', 'attributes');
      const raw = user.string('username');
      const checked = this.canonicalName(raw);
      if (!checked.ok) throw user.error(`is not a valid account name (${checked.problem})`, 'username');
      if (checked.name !== raw) user.fail(`must be written in canonical form: ${checked.name}`, 'username');
      let hash: string;
      if (user.has('passwordHash')) {
        hash = user.string('passwordHash');
        if (!isPasswordHash(hash)) user.fail('must be an scrypt hash as written by this IdP', 'passwordHash');
      } else {
        hash = await hashPassword(user.string('password'));
      }
      const attributeNode = user.child('attributes');
      const attributes = user.entries('attributes').map(([name, node]): [string, string[]] => {
        if (name === 'uid') node.fail('is derived from username and cannot be set');
        return [name, attributeNode.strings(name)];
      });
      accounts.push({ username: checked.name, hash, enabled: user.boolean('enabled', true), attributes });
    }
    const names = new Set<string>();
    for (const a of accounts) {
      if (names.has(a.username)) throw new ConfigurationError(conf.label, `users.${a.username}`, 'duplicate account');
      names.add(a.username);
    }
    const insertAccount = this.db.prepare('INSERT INTO accounts (username, password_hash, enabled) VALUES (?, ?, ?)');
    const insertAttribute = this.db.prepare(
      'INSERT INTO account_attributes (username, name, position, value) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const a of accounts) {
        insertAccount.run(a.username, a.hash, a.enabled ? 1 : 0);
        for (const [name, values] of a.attributes) values.forEach((v, i) => insertAttribute.run(a.username, name, i, v));
      }
    })();
  }

  private guard<T>(query: () => T): T {
    try {
      return query();
    } catch (err) {
      throw new IdpError('DIRECTORY_FAILED', `user directory query failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
