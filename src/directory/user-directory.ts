/**
 * Extension point: where accounts, their passwords and their attributes live. The embedded default
 * is SqliteUserDirectory (sqlite-user-directory.ts); an LDAP directory would implement the same
 * interface.
 */
import type { AccountNameResult } from './account-name.js';

export type SourceAttributes = Record<string, string[]>;

export interface UserDirectory {
  /** The directory's naming rule applied to a typed name (see account-name.ts). */
  canonicalName(raw: string): AccountNameResult;
  /** Checks a password; unknown accounts and disabled accounts are simply false. */
  authenticate(username: string, password: string): Promise<boolean>;
  /** The account's source attributes, or undefined when the account does not exist. */
  lookup(username: string): Promise<SourceAttributes | undefined>;
}
