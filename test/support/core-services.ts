/**
 * The IdP's own services built from a configuration folder (the shipped conf/ by default), without
 * HTTP: the real directory (in-memory SQLite, seeded from the real seed file), resolver, filter
 * and casbin policies — for unit tests of the flow and the policies.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CasbinAccessControlService } from '../../src/access/casbin-access-control.js';
import { AttributeFilter } from '../../src/attribute/attribute-filter.js';
import { AttributeResolver } from '../../src/attribute/attribute-resolver.js';
import type { AttributeValues } from '../../src/core/attribute-values.js';
import { DirectoryDataConnector } from '../../src/attribute/data-connector.js';
import { loadConfiguration, type IdpConfiguration } from '../../src/config/load-configuration.js';
import { SqliteUserDirectory } from '../../src/directory/sqlite-user-directory.js';
import { createProcessLog, type ProcessLog } from '../../src/logging/process-log.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';

export interface CoreServices {
  readonly config: IdpConfiguration;
  readonly directory: SqliteUserDirectory;
  readonly resolver: AttributeResolver;
  readonly filter: AttributeFilter;
  readonly accessControl: CasbinAccessControlService;
  readonly log: ProcessLog;
  readonly logFile: string;
  /** The account's unfiltered attributes as at sign-in. */
  attributesOf(account: string): Promise<AttributeValues>;
}

export async function coreServices(confDir = DEFAULT_CONF_DIR, overrides: Record<string, string> = {}): Promise<CoreServices> {
  const home = mkdtempSync(path.join(tmpdir(), 'idp-unit-'));
  const config = loadConfiguration({ home, confDir, env: {}, overrides });
  const props = config.properties;
  const logFile = path.join(home, 'process.log');
  const log = createProcessLog({ file: logFile, fileLevel: 'DEBUG', consoleLevel: 'ERROR', console: false });
  const directory = await SqliteUserDirectory.open(
    openSqliteDatabase(':memory:'),
    { caseSensitive: props.directory.caseSensitive, maxLength: props.impersonate.maxNameLength },
    { file: props.directory.seedFile, lookup: props.lookup },
  );
  const resolver = new AttributeResolver(config.attributeDefinitions, config.dataConnectors.map((c) => new DirectoryDataConnector(c.id, directory)));
  return {
    config,
    directory,
    resolver,
    filter: new AttributeFilter(config.attributeFilterPolicies),
    accessControl: await CasbinAccessControlService.load(config.accessControlPolicies, log),
    log,
    logFile,
    attributesOf: async (account) => (await resolver.resolve({ principal: account, label: 'SAML2/SSO' })).attributes,
  };
}
