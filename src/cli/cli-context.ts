/**
 * What the policy CLI reads, the way the IdP reads it: the configuration folder (validated by the
 * IdP's own loader, so a command never trusts a conf the IdP would refuse), the policies compiled
 * by the IdP's own engine, and the user directory — the IdP's SQLite file opened read-only when it
 * exists (one written by a later release is refused: its schema is unknown here), otherwise a fresh
 * in-memory copy of the seed file, as the IdP would create on first start.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NO_PAUSES } from '../access/engine/cooperative.js';
import { loadPolicies } from '../access/policy-loader.js';
import type { PolicySnapshot } from '../access/policy-snapshot.js';
import { AttributeResolver } from '../attribute/attribute-resolver.js';
import { DirectoryDataConnector } from '../attribute/data-connector.js';
import { PROPERTIES_FILE } from '../config/idp-properties.js';
import { loadConfiguration, type IdpConfiguration } from '../config/load-configuration.js';
import { ConfigurationError } from '../core/errors.js';
import { SqliteUserDirectory } from '../directory/sqlite-user-directory.js';
import { DEFAULT_CONF_DIR, PROJECT_ROOT } from '../core/paths.js';
import { openSqliteDatabase, openSqliteDatabaseReadOnly, type SqliteDatabase } from '../storage/sqlite-database.js';
import { SchemaVersionError } from '../storage/sqlite-schema.js';

export interface Location {
  /** --conf, else IDP_CONF_DIR, else the project's conf/ (as the IdP chooses). */
  readonly conf?: string;
  /** --home, else IDP_HOME, else the project folder (where data/idp.db is). */
  readonly home?: string;
  readonly env: NodeJS.ProcessEnv;
}

export function loadIdpConfiguration(at: Location): IdpConfiguration {
  const home = path.resolve(at.home ?? at.env.IDP_HOME ?? PROJECT_ROOT);
  const confDir = path.resolve(at.conf ?? at.env.IDP_CONF_DIR ?? DEFAULT_CONF_DIR);
  const properties = path.join(confDir, PROPERTIES_FILE);
  if (!existsSync(properties)) throw new ConfigurationError(properties, '(file)', 'file not found: is this a configuration folder?');
  return loadConfiguration({ home, confDir, env: at.env });
}

/** The policies as the IdP loads them: the same checks (complete files, plain text), the same engine. */
export async function compilePolicies(config: IdpConfiguration): Promise<PolicySnapshot> {
  const { confDir, lookup } = config.properties;
  return (await loadPolicies({ confDir, lookup, pacing: NO_PAUSES })).snapshot;
}

export interface CliDirectory {
  readonly directory: SqliteUserDirectory;
  readonly resolver: AttributeResolver;
  /** Where the accounts come from, for the output. */
  readonly source: string;
  close(): void;
}

export async function openDirectory(config: IdpConfiguration): Promise<CliDirectory> {
  const props = config.properties;
  const rules = { caseSensitive: props.directory.caseSensitive, maxLength: props.impersonate.maxNameLength };
  const seed = { file: props.directory.seedFile, lookup: props.lookup };
  let db: SqliteDatabase | undefined;
  let directory: SqliteUserDirectory | undefined;
  let source = `${props.directory.seedFile} (in memory: ${props.storagePath} does not exist yet)`;
  if (existsSync(props.storagePath)) {
    try {
      db = openSqliteDatabaseReadOnly(props.storagePath);
      directory = await SqliteUserDirectory.open(db, rules, seed);
      source = `${props.storagePath} (read-only)`;
    } catch (err) {
      db?.close();
      if (err instanceof SchemaVersionError) throw err;
      source = `${props.directory.seedFile} (in memory: ${props.storagePath} has no accounts yet: ${(err as Error).message})`;
      directory = undefined;
    }
  }
  if (!directory) {
    db = openSqliteDatabase(':memory:');
    directory = await SqliteUserDirectory.open(db, rules, seed);
  }
  const resolver = new AttributeResolver(
    config.attributeDefinitions,
    config.dataConnectors.map((c) => new DirectoryDataConnector(c.id, directory)),
  );
  return { directory, resolver, source, close: () => db?.close() };
}
