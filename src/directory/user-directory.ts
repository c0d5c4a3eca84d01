/**
 * Extension point: where accounts, their passwords and their attributes live. The embedded default
 * is SqliteUserDirectory (sqlite-user-directory.ts); LdapUserDirectory (ldap-user-directory.ts)
 * implements the same interface on an LDAP server (there, "disabled" and "locked" are the
 * directory's own account states, read from configured attributes such as
 * nsAccountLock or pwdAccountLockedTime, and "protected" a flag such as Active Directory's
 * userAccountControl NOT_DELEGATED, "account is sensitive and cannot be delegated").
 */
import type { AccountNameResult } from './account-name.js';

export type SourceAttributes = Record<string, string[]>;

/**
 * Whether an account may be used right now: `active`; `disabled` (switched off by an admin);
 * `locked` (an account lock, e.g. after a security incident or by the directory's password
 * policy); `absent` (no such account, or deleted).
 */
export type AccountState = 'active' | 'disabled' | 'locked' | 'absent';

export interface UserDirectory {
  /** The directory's naming rule applied to a typed name (see account-name.ts). */
  canonicalName(raw: string): AccountNameResult;
  /** Checks a password; false for unknown, disabled and locked accounts alike. */
  authenticate(username: string, password: string): Promise<boolean>;
  /** The account's source attributes, or undefined when the account does not exist or is disabled. */
  lookup(username: string): Promise<SourceAttributes | undefined>;
  /**
   * The account's state now. Asked again before anything is released for an account, so that an
   * account disabled, locked or deleted while its user had a form open gets nothing.
   */
  accountState(username: string): Promise<AccountState>;
  /**
   * Whether the account is flagged as protected ("sensitive, cannot be delegated"): such an account
   * is never impersonated, whatever the policies say. False for an account that does not exist.
   */
  isProtected(username: string): Promise<boolean>;
}
