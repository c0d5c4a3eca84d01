/**
 * The user directory and the attribute services over it, built the same way wherever they are
 * needed: by the IdP (src/idp.ts) on its own database, by the policy CLI (src/cli/cli-context.ts)
 * on the IdP's file opened read-only or an in-memory copy of the seed, and by the tests. The caller
 * opens (and later closes) the database; an empty directory is filled from the seed file.
 */
import { AttributeFilter } from '../attribute/attribute-filter.js';
import { AttributeResolver } from '../attribute/attribute-resolver.js';
import { DirectoryDataConnector } from '../attribute/data-connector.js';
import type { IdpConfiguration } from '../config/load-configuration.js';
import { SqliteUserDirectory } from '../directory/sqlite-user-directory.js';
import type { BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';

export interface AttributeServices {
  readonly directory: SqliteUserDirectory;
  /** conf/attribute-resolver.yaml, its data connectors reading the directory. */
  readonly resolver: AttributeResolver;
  /** conf/attribute-filter.yaml. */
  readonly filter: AttributeFilter;
}

/** busy: how long the directory waits for a lock held by another process (default: not at all). */
export async function openAttributeServices(
  config: IdpConfiguration,
  db: SqliteDatabase,
  busy?: BusyPolicy,
): Promise<AttributeServices> {
  const props = config.properties;
  const directory = await SqliteUserDirectory.open(
    db,
    { caseSensitive: props.directory.caseSensitive, maxLength: props.impersonate.maxNameLength },
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
  };
}
