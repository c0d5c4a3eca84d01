/**
 * The user directory on an LDAP server (idp.directory.type = ldap), in the manner of Shibboleth's
 * bindSearchAuthenticator: the service account searches for the account's entry (base DN, filter,
 * one level or subtree), then the password is checked by binding as that entry's DN — the IdP never
 * reads or compares password hashes. Attributes come from the same search, renamed by the attribute
 * map; the account states from configured attributes (locked: ppolicy's pwdAccountLockedTime by
 * default).
 *
 * Names go through the same canonical rule as everywhere else (account-name.ts) and, on top of that,
 * every filter metacharacter of the name is escaped (RFC 4515), so no name is ever a wildcard. A name
 * matching more than one entry resolves to nothing (logged). A directory that is down, slow or
 * refuses the service account raises DIRECTORY_FAILED: the request ends with the 503 page.
 */
import { Filter, InvalidCredentialsError, type Entry } from 'ldapts';
import { IdpError } from '../core/errors.js';
import { quoted, type ProcessLog } from '../logging/process-log.js';
import { canonicalAccountName, type AccountNameRules } from './account-name.js';
import { LdapConnectionPool, type LdapConnection } from './ldap-connection-pool.js';
import type { LdapDirectorySettings, StateAttribute } from './ldap-settings.js';
import type { AccountState, SourceAttributes, UserDirectory } from './user-directory.js';

/** The account's entry as found; 'ambiguous' when the name matched more than one. */
type Found = { readonly dn: string; readonly entry: Entry } | 'ambiguous' | undefined;

/**
 * The search filter for a name: the template with {user} replaced by the name, every filter
 * metacharacter (*, (, ), \, NUL) escaped — "*" becomes \2a and matches only a literal asterisk.
 */
export function accountFilter(template: string, name: string): string {
  return template.replaceAll('{user}', Filter.escape(name));
}

/** The entry a decoy bind names: none such exists (a name no account can have: it has a space). */
const DECOY_RDN = 'idp decoy account';

export class LdapUserDirectory implements UserDirectory {
  private readonly pool: LdapConnectionPool;
  private readonly attributes: string[];

  constructor(
    private readonly settings: LdapDirectorySettings,
    private readonly rules: AccountNameRules,
    private readonly log: Pick<ProcessLog, 'warn'>,
  ) {
    this.pool = new LdapConnectionPool(settings);
    const states = [settings.locked, settings.disabled, settings.protected];
    this.attributes = [
      ...new Set([
        ...settings.attributeMap.keys(),
        ...states.flatMap((s) => (s ? [s.attribute] : [])),
      ]),
    ];
  }

  /** Connections opened so far (the pool reuses them). */
  get connectionsOpened(): number {
    return this.pool.opened;
  }

  canonicalName(raw: string) {
    return canonicalAccountName(raw, this.rules);
  }

  async authenticate(username: string, password: string): Promise<boolean> {
    // An empty password would make a simple bind "unauthenticated" (RFC 4513 §5.1.2), which many
    // servers answer with success: it must never reach the server.
    if (password === '' || !this.isCanonical(username)) return false;
    return this.run('password check', async (connection) => {
      const found = await this.find(connection, username);
      const usable =
        found !== undefined && found !== 'ambiguous' && this.stateOf(found.entry) === 'active';
      // No account to check: a bind that must fail all the same, so that the answer takes as
      // long as a wrong password's and its timing does not tell which names exist.
      const dn = usable ? found.dn : `cn=${DECOY_RDN},${this.settings.baseDN}`;
      connection.boundAs = 'other';
      try {
        this.checkSecure(connection);
        await connection.client.bind(dn, password);
        return usable;
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return false;
        throw err;
      }
    });
  }

  async lookup(username: string): Promise<SourceAttributes | undefined> {
    if (!this.isCanonical(username)) return undefined;
    const found = await this.run('attribute lookup', (c) => this.find(c, username));
    if (found === undefined || found === 'ambiguous') return undefined;
    if (this.stateOf(found.entry) === 'disabled') return undefined;
    const attributes: SourceAttributes = { uid: [username] };
    for (const [name, values] of Object.entries(found.entry)) {
      const source = this.settings.attributeMap.get(name.toLowerCase());
      // ldapts lists a requested attribute the entry lacks with no values: left out, as SQLite does.
      const list = valuesOf(values);
      if (source && list.length > 0) attributes[source] = list;
    }
    return attributes;
  }

  async accountState(username: string): Promise<AccountState> {
    if (!this.isCanonical(username)) return 'absent';
    const found = await this.run('account state', (c) => this.find(c, username));
    if (found === undefined || found === 'ambiguous') return 'absent';
    return this.stateOf(found.entry);
  }

  async isProtected(username: string): Promise<boolean> {
    if (!this.isCanonical(username)) return true;
    const found = await this.run('protected flag', (c) => this.find(c, username));
    // An account the IdP cannot tell apart from another is never impersonated.
    if (found === 'ambiguous') return true;
    return found !== undefined && has(found.entry, this.settings.protected);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Callers pass canonical names; anything else (a bypass of the rule) finds nothing. */
  private isCanonical(username: string): boolean {
    const checked = this.canonicalName(username);
    return checked.ok && checked.name === username;
  }

  private stateOf(entry: Entry): AccountState {
    if (has(entry, this.settings.disabled)) return 'disabled';
    if (has(entry, this.settings.locked)) return 'locked';
    return 'active';
  }

  /** The account's entry, searched as the service account. */
  private async find(connection: LdapConnection, username: string): Promise<Found> {
    await this.bindAsService(connection);
    const { baseDN, subtree, userFilter, responseTimeoutMs } = this.settings;
    this.checkSecure(connection);
    const { searchEntries } = await connection.client.search(baseDN, {
      scope: subtree ? 'sub' : 'one',
      filter: accountFilter(userFilter, username),
      attributes: this.attributes.length > 0 ? this.attributes : ['1.1'],
      derefAliases: 'never',
      // No client size limit: ldapts would then hide a server's sizeLimitExceeded (one entry
      // returned of two matching). A server limit reached is an error here: refused, never a guess.
      timeLimit: Math.ceil(responseTimeoutMs / 1000),
    });
    if (searchEntries.length > 1) {
      this.log.warn(
        `Account name ${quoted(username)} matches more than one entry below ${quoted(baseDN)} (filter ${quoted(userFilter)}); refused`,
      );
      return 'ambiguous';
    }
    const entry = searchEntries[0];
    return entry && { dn: entry.dn, entry };
  }

  private async bindAsService(connection: LdapConnection): Promise<void> {
    if (connection.boundAs === 'service' && connection.client.isBound) return;
    const { bindDN, bindCredential } = this.settings;
    try {
      this.checkSecure(connection);
      // Both empty: an anonymous bind, back from whatever account the connection was bound as.
      await connection.client.bind(bindDN, bindCredential);
    } catch (err) {
      if (!(err instanceof InvalidCredentialsError)) throw err;
      throw new IdpError(
        'DIRECTORY_FAILED',
        `the LDAP server refused the service account ${quoted(bindDN)} (idp.authn.LDAP.bindDN / bindDNCredential)`,
      );
    }
    connection.boundAs = 'service';
  }

  /**
   * ldapts reopens a closed connection by itself at the next operation — in clear, without
   * StartTLS. Checked right before each operation (nothing can close it in between: no await).
   */
  private checkSecure(connection: LdapConnection): void {
    if (this.settings.startTls && !connection.client.isConnected)
      throw new Error('the StartTLS connection was closed');
  }

  /** Runs one directory operation on a pooled connection; any failure is DIRECTORY_FAILED. */
  private async run<T>(what: string, work: (connection: LdapConnection) => Promise<T>): Promise<T> {
    try {
      return await this.pool.use(work);
    } catch (err) {
      if (err instanceof IdpError) throw err;
      throw new IdpError(
        'DIRECTORY_FAILED',
        `LDAP directory ${this.settings.url}: ${what} failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

function valuesOf(values: Entry[string]): string[] {
  const list: (string | Buffer)[] = Array.isArray(values) ? values : [values];
  return list.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

/** Whether the entry has the state attribute (with the configured value, ignoring case). */
function has(entry: Entry, state: StateAttribute | undefined): boolean {
  if (!state) return false;
  const name = state.attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name);
  if (key === undefined) return false;
  const values = valuesOf(entry[key]!);
  if (state.value === undefined) return values.length > 0;
  const wanted = state.value.toLowerCase();
  return values.some((v) => v.toLowerCase() === wanted);
}
