/**
 * The user directory and the attribute services over it, built the same way wherever they are
 * needed: by the IdP (src/idp.ts) on its own database, by the policy CLI (src/cli/cli-context.ts)
 * on the IdP's file opened read-only or an in-memory copy of the seed, and by the tests. The caller
 * opens (and later closes) the database; an empty directory is filled from the seed file. With
 * idp.directory.type = ldap the directory is the LDAP server instead (the database is then not
 * read for accounts), and closeDirectory() ends its pooled connections.
 */
import { AttributeFilter } from '../attribute/attribute-filter.js';
import { AttributeResolver } from '../attribute/attribute-resolver.js';
import { DirectoryDataConnector } from '../attribute/data-connector.js';
import type { IdpConfiguration } from '../config/load-configuration.js';
import type { LdapDirectorySettings } from '../directory/ldap-settings.js';
import { LdapUserDirectory } from '../directory/ldap-user-directory.js';
import { SqliteUserDirectory } from '../directory/sqlite-user-directory.js';
import type { UserDirectory } from '../directory/user-directory.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';

export interface AttributeServices {
  readonly directory: UserDirectory;
  /** conf/attribute-resolver.yaml, its data connectors reading the directory. */
  readonly resolver: AttributeResolver;
  /** conf/attribute-filter.yaml. */
  readonly filter: AttributeFilter;
  /** Ends the directory's own connections (LDAP); the database is the caller's to close. */
  closeDirectory(): Promise<void>;
}

/** Where the LDAP directory logs (Shibboleth's category of its LDAP authentication). */
const LDAP_LOG_CATEGORY = 'net.shibboleth.idp.authn.impl.ldap';

/**
 * busy: how long the directory waits for a lock held by another process (default: not at all).
 * processLog: where the LDAP directory reports ambiguous names and clear-text connections
 * (default: standard error).
 */
export async function openAttributeServices(
  config: IdpConfiguration,
  db: SqliteDatabase,
  busy?: BusyPolicy,
  processLog?: ProcessLog,
): Promise<AttributeServices> {
  const log: Pick<ProcessLog, 'warn'> = processLog?.child(LDAP_LOG_CATEGORY) ?? {
    warn: (message) => console.warn(message),
  };
  const props = config.properties;
  const rules = {
    caseSensitive: props.directory.caseSensitive,
    maxLength: props.impersonate.maxNameLength,
  };
  const ldap = props.directory.ldap;
  if (ldap) warnOfClearText(ldap, log);
  const directory = ldap
    ? new LdapUserDirectory(ldap, rules, log)
    : await SqliteUserDirectory.open(
        db,
        rules,
        { file: props.directory.seedFile, lookup: props.lookup },
        busy,
      );
  return {
    directory,
    resolver: new AttributeResolver(
      config.attributeDefinitions,
      config.dataConnectors.map((c) => new DirectoryDataConnector(c.id, directory)),
    ),
    filter: new AttributeFilter(config.attributeFilterPolicies),
    closeDirectory: () =>
      directory instanceof LdapUserDirectory ? directory.close() : Promise.resolve(),
  };
}

/** Passwords over plain ldap:// without StartTLS cross the network in clear: said once at start-up. */
function warnOfClearText(ldap: LdapDirectorySettings, log: Pick<ProcessLog, 'warn'>): void {
  if (ldap.url.startsWith('ldap:') && !ldap.startTls)
    log.warn(
      `The LDAP directory ${ldap.url} is reached without TLS: passwords cross the network in clear (use ldaps:// or idp.authn.LDAP.useStartTLS = true)`,
    );
}
