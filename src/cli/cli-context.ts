/**
 * What the policy CLI reads, the way the IdP reads it: the configuration folder (validated by the
 * IdP's own loader, so a command never trusts a conf the IdP would refuse), the policies compiled
 * by the IdP's own engine, and the user directory — with idp.directory.type = ldap the IdP's LDAP
 * server, read with the same service account; otherwise the IdP's SQLite file opened read-only when
 * it exists (one written by a later release is refused: its schema is unknown here), or else a
 * fresh in-memory copy of the seed file, as the IdP would create on first start.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NO_PAUSES } from '../access/engine/cooperative.js';
import { loadPolicies } from '../access/policy-loader.js';
import type { PolicySnapshot } from '../access/policy-snapshot.js';
import { PROPERTIES_FILE } from '../config/property-sources.js';
import { loadConfiguration, type IdpConfiguration } from '../config/load-configuration.js';
import { ConfigurationError } from '../core/errors.js';
import { DEFAULT_CONF_DIR, PROJECT_ROOT } from '../core/paths.js';
import { verifyMetadataSignature } from '../frontend/saml/metadata-signature.js';
import {
  openSqliteDatabase,
  openSqliteDatabaseReadOnly,
  type SqliteDatabase,
} from '../storage/sqlite-database.js';
import { SchemaVersionError } from '../storage/sqlite-schema.js';
import { openAttributeServices, type AttributeServices } from '../wiring/attribute-services.js';

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
  if (!existsSync(properties))
    throw new ConfigurationError(
      properties,
      '(file)',
      'file not found: is this a configuration folder?',
    );
  // Signed metadata providers are verified exactly as the IdP verifies them at start-up.
  return loadConfiguration({ home, confDir, env: at.env }, verifyMetadataSignature);
}

/** The policies as the IdP loads them: the same checks (complete files, plain text), the same engine. */
export async function compilePolicies(config: IdpConfiguration): Promise<PolicySnapshot> {
  const { confDir, lookup } = config.properties;
  return (await loadPolicies({ confDir, lookup, pacing: NO_PAUSES })).snapshot;
}

export interface CliDirectory extends AttributeServices {
  /** Where the accounts come from, for the output. */
  readonly source: string;
  close(): Promise<void>;
}

export async function openDirectory(config: IdpConfiguration): Promise<CliDirectory> {
  const props = config.properties;
  if (props.directory.ldap) return ldapDirectory(config);
  if (!existsSync(props.storagePath))
    return inMemory(config, `${props.storagePath} does not exist yet`);
  let db: SqliteDatabase | undefined;
  try {
    db = openSqliteDatabaseReadOnly(props.storagePath);
    const services = await openAttributeServices(config, db);
    const opened = db;
    return {
      ...services,
      source: `${props.storagePath} (read-only)`,
      close: () => {
        opened.close();
        return Promise.resolve();
      },
    };
  } catch (err) {
    db?.close();
    if (err instanceof SchemaVersionError) throw err;
    return inMemory(config, `${props.storagePath} has no accounts yet: ${(err as Error).message}`);
  }
}

/** A fresh in-memory directory seeded from the seed file, as the IdP would create on first start. */
async function inMemory(config: IdpConfiguration, why: string): Promise<CliDirectory> {
  const db = openSqliteDatabase(':memory:');
  const services = await openAttributeServices(config, db);
  return {
    ...services,
    source: `${config.properties.directory.seedFile} (in memory: ${why})`,
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/** The IdP's LDAP server; no database is read for accounts (an empty in-memory one is passed). */
async function ldapDirectory(config: IdpConfiguration): Promise<CliDirectory> {
  const { url, baseDN } = config.properties.directory.ldap!;
  const db = openSqliteDatabase(':memory:');
  const services = await openAttributeServices(config, db);
  return {
    ...services,
    source: `LDAP ${url} (base ${baseDN})`,
    close: async () => {
      await services.closeDirectory();
      db.close();
    },
  };
}
