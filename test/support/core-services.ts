/**
 * The IdP's own services built from a configuration folder (the shipped conf/ by default), without
 * HTTP: the real directory (in-memory SQLite, seeded from the real seed file), resolver, filter
 * and casbin policies — for unit tests of the flow and the policies.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AttributeValues } from '../../src/core/attribute-values.js';
import { loadConfiguration, type IdpConfiguration } from '../../src/config/load-configuration.js';
import { createProcessLog, type ProcessLog } from '../../src/logging/process-log.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';
import {
  openAttributeServices,
  type AttributeServices,
} from '../../src/wiring/attribute-services.js';
import { CasbinAccessControlService } from './casbin-access-control.js';

export interface CoreServices extends AttributeServices {
  readonly config: IdpConfiguration;
  readonly accessControl: CasbinAccessControlService;
  readonly log: ProcessLog;
  readonly logFile: string;
  /** The account's unfiltered attributes as at sign-in. */
  attributesOf(account: string): Promise<AttributeValues>;
}

export async function coreServices(
  confDir = DEFAULT_CONF_DIR,
  overrides: Record<string, string> = {},
): Promise<CoreServices> {
  const home = mkdtempSync(path.join(tmpdir(), 'idp-unit-'));
  const config = loadConfiguration({ home, confDir, env: {}, overrides });
  const logFile = path.join(home, 'process.log');
  const log = createProcessLog({
    file: logFile,
    fileLevel: 'DEBUG',
    consoleLevel: 'ERROR',
    console: false,
  });
  const attributes = await openAttributeServices(config, openSqliteDatabase(':memory:'));
  const { resolver } = attributes;
  return {
    config,
    ...attributes,
    accessControl: await CasbinAccessControlService.load(config.accessControlPolicies, log),
    log,
    logFile,
    attributesOf: async (account) =>
      (await resolver.resolve({ principal: account, label: 'SAML2/SSO' })).attributes,
  };
}
