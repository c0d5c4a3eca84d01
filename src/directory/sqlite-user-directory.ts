/**
 * The embedded user directory: accounts and their attributes in SQLite, seeded from a readable YAML
 * file (conf/demo-users.yaml) the first time the database is created. An account can be disabled
 * (`enabled = 0`) or locked (`locked = 1`); either refuses its password and anything released for
 * it. An account flagged `protected = 1` signs in as usual but is never impersonated. Admin tools change these columns directly in the database file. Tables accounts and
 * account_attributes (src/storage/sqlite-schema.ts).
 */
import type { Statement } from 'better-sqlite3';
import { ConfigurationError, IdpError } from '../core/errors.js';
import { YamlConf, type ConfNode } from '../core/yaml-conf.js';
import { retryWhileBusy, type BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';
import { canonicalAccountName, type AccountNameRules } from './account-name.js';
import { decoyHash, hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';
import { passwordProblem } from './password-rules.js';
import type { AccountState, SourceAttributes, UserDirectory } from './user-directory.js';

interface AccountRow {
  password_hash: string;
  enabled: number;
  locked: number;
  protected: number;
}

/** Waiting for a lock is pointless where nothing else can hold one (an in-memory database). */
const NO_WAIT: BusyPolicy = { maxWaitMs: 0 };

export class SqliteUserDirectory implements UserDirectory {
  private readonly account: Statement<[string], AccountRow>;
  private readonly attributes: Statement<[string], { name: string; value: string }>;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly rules: AccountNameRules,
    private readonly busy: BusyPolicy,
  ) {
    this.account = db.prepare(
      'SELECT password_hash, enabled, locked, protected FROM accounts WHERE username = ?',
    );
    this.attributes = db.prepare(
      'SELECT name, value FROM account_attributes WHERE username = ? ORDER BY name, position',
    );
  }

  static async open(
    db: SqliteDatabase,
    rules: AccountNameRules,
    seed: { file: string; lookup: (key: string) => string | undefined },
    busy: BusyPolicy = NO_WAIT,
  ): Promise<SqliteUserDirectory> {
    const directory = new SqliteUserDirectory(db, rules, busy);
    const { n } = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts').get()!;
    if (n === 0) await directory.seed(seed.file, seed.lookup);
    return directory;
  }

  canonicalName(raw: string) {
    return canonicalAccountName(raw, this.rules);
  }

  async authenticate(username: string, password: string): Promise<boolean> {
    const row = await this.guard(() => this.account.get(username));
    if (!row) {
      await verifyPassword(password, await decoyHash());
      return false;
    }
    const ok = await verifyPassword(password, row.password_hash);
    return ok && stateOf(row) === 'active';
  }

  lookup(username: string): Promise<SourceAttributes | undefined> {
    return this.guard(() => {
      const account = this.account.get(username);
      if (!account || account.enabled !== 1) return undefined;
      const attributes: SourceAttributes = { uid: [username] };
      for (const { name, value } of this.attributes.all(username))
        (attributes[name] ??= []).push(value);
      return attributes;
    });
  }

  async accountState(username: string): Promise<AccountState> {
    const row = await this.guard(() => this.account.get(username));
    return row ? stateOf(row) : 'absent';
  }

  async isProtected(username: string): Promise<boolean> {
    const row = await this.guard(() => this.account.get(username));
    return row?.protected === 1;
  }

  /** Loads the seed file: account names are checked against the same rule as typed names. */
  private async seed(seedFile: string, lookup: (key: string) => string | undefined): Promise<void> {
    const conf = YamlConf.read(seedFile, lookup);
    const accounts: SeedAccount[] = [];
    for (const user of conf.root.list('users')) accounts.push(await this.seedAccount(user));
    const names = new Set<string>();
    for (const a of accounts) {
      if (names.has(a.username))
        throw new ConfigurationError(conf.label, `users.${a.username}`, 'duplicate account');
      names.add(a.username);
    }
    const insertAccount = this.db.prepare(
      'INSERT INTO accounts (username, password_hash, enabled, locked, protected) VALUES (?, ?, ?, ?, ?)',
    );
    const insertAttribute = this.db.prepare(
      'INSERT INTO account_attributes (username, name, position, value) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const a of accounts) {
        insertAccount.run(
          a.username,
          a.hash,
          a.enabled ? 1 : 0,
          a.locked ? 1 : 0,
          a.protected ? 1 : 0,
        );
        for (const [name, values] of a.attributes)
          values.forEach((v, i) => insertAttribute.run(a.username, name, i, v));
      }
    })();
  }

  /** One entry of the seed's users list, checked. */
  private async seedAccount(user: ConfNode): Promise<SeedAccount> {
    user.allowKeys(
      'username',
      'password',
      'passwordHash',
      'enabled',
      'locked',
      'protected',
      'attributes',
    );
    const raw = user.string('username');
    const checked = this.canonicalName(raw);
    if (!checked.ok)
      throw user.error(`is not a valid account name (${checked.problem})`, 'username');
    if (checked.name !== raw)
      user.fail(`must be written in canonical form: ${checked.name}`, 'username');
    // The password before the attributes: the order in which a seed's problems are reported.
    const hash = await seedPasswordHash(user);
    const attributeNode = user.child('attributes');
    const attributes = user.entries('attributes').map(([name, node]): [string, string[]] => {
      if (name === 'uid') node.fail('is derived from username and cannot be set');
      return [name, attributeNode.strings(name)];
    });
    return {
      username: checked.name,
      hash,
      enabled: user.boolean('enabled', true),
      locked: user.boolean('locked', false),
      protected: user.boolean('protected', false),
      attributes,
    };
  }

  private async guard<T>(query: () => T): Promise<T> {
    try {
      return await retryWhileBusy(query, this.busy, 'user directory');
    } catch (err) {
      if (err instanceof IdpError) throw err;
      throw new IdpError(
        'DIRECTORY_FAILED',
        `user directory query failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

function stateOf(row: AccountRow): AccountState {
  if (row.enabled !== 1) return 'disabled';
  if (row.locked === 1) return 'locked';
  return 'active';
}

interface SeedAccount {
  readonly username: string;
  readonly hash: string;
  readonly enabled: boolean;
  readonly locked: boolean;
  readonly protected: boolean;
  readonly attributes: [string, string[]][];
}

/** A seed account's password hash: given as such, or computed from a password the form accepts. */
async function seedPasswordHash(user: ConfNode): Promise<string> {
  if (user.has('passwordHash')) {
    const hash = user.string('passwordHash');
    if (!isPasswordHash(hash))
      user.fail('must be an scrypt hash as written by this IdP', 'passwordHash');
    return hash;
  }
  const password = user.string('password');
  const problem = passwordProblem(password);
  if (problem === 'control-character')
    user.fail('must not contain control characters (the login form refuses them)', 'password');
  if (problem === 'too-long') user.fail('is longer than the login form accepts', 'password');
  return hashPassword(password);
}
