/**
 * Where persistent NameIDs are kept (Shibboleth's StoredPersistentIdGenerator and its shibpid
 * table): one opaque random identifier per IdP, SP (or its SPNameQualifier) and account, created on
 * first release and the same ever after. Stored rather than computed from the account name, so no
 * salt can leak and an identifier can be kept when an account is renamed. The SQLite default is
 * sqlite-persistent-id-store.ts; another store (Redis, issue 12) implements this interface.
 */

/** Whose identifier: the IdP (NameQualifier), the SP's namespace (SPNameQualifier), the account. */
export interface PersistentIdKey {
  readonly idp: string;
  readonly sp: string;
  readonly principal: string;
}

export interface PersistentIdStore {
  /** The stored identifier, or undefined when none was ever released for the key. */
  find(key: PersistentIdKey): Promise<string | undefined>;
  /**
   * The stored identifier, created on first use. Two first uses at once get the same identifier:
   * whichever is stored first wins, and both return it.
   */
  findOrCreate(key: PersistentIdKey): Promise<string>;
}
