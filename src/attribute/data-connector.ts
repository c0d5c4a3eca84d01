/**
 * Extension point: a source of raw attributes for a principal (Shibboleth's DataConnector). The
 * default, DirectoryDataConnector, reads the IdP's user directory — the embedded SQLite one or the
 * LDAP server, whichever idp.directory.type chooses; another source would sit beside it.
 */
import type { SourceAttributes, UserDirectory } from '../directory/user-directory.js';

export interface DataConnector {
  readonly id: string;
  /** Raw attributes of the principal, or undefined when the source has no such principal. */
  lookup(principal: string): Promise<SourceAttributes | undefined>;
}

export class DirectoryDataConnector implements DataConnector {
  constructor(
    readonly id: string,
    private readonly directory: UserDirectory,
  ) {}

  lookup(principal: string): Promise<SourceAttributes | undefined> {
    return this.directory.lookup(principal);
  }
}
