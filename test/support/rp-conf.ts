/**
 * A copy of the shipped configuration folder with relying parties added to relying-party.yaml
 * (after the shipped demo SP and demo client, so the added ones are samlServiceProviders[1] and
 * oidcClients[1]) and files beside it (metadata documents), loaded the way the IdP loads it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { verifyMetadataSignature } from '../../src/frontend/saml/metadata-signature.js';
import type { RelyingParty } from '../../src/relying-party/relying-party.js';

const RP_FILE = 'relying-party.yaml';

export interface RpConfChanges {
  /** YAML list items to add to samlServiceProviders (indented as in the shipped file). */
  readonly saml?: string;
  /** YAML list items to add to oidcClients. */
  readonly oidc?: string;
  /** Other changes to the shipped relying-party.yaml text, applied first. */
  readonly edit?: (text: string) => string;
  /** Files to write, relative to the conf folder. */
  readonly files?: Record<string, string>;
}

/** The conf folder; `inside` names the folder to copy into (default: a fresh temporary one). */
export function confWithRps(changes: RpConfChanges, inside?: string): string {
  const dir = path.join(inside ?? mkdtempSync(path.join(tmpdir(), 'rp-conf-')), 'conf');
  cpSync(DEFAULT_CONF_DIR, dir, { recursive: true });
  const file = path.join(dir, RP_FILE);
  let text = (changes.edit ?? ((t: string) => t))(readFileSync(file, 'utf8'));
  if (changes.saml !== undefined) text = insertBefore(text, '\noidcClients:\n', changes.saml);
  if (changes.oidc !== undefined) text = insertBefore(text, '\n# resourceServers:', changes.oidc);
  writeFileSync(file, text);
  for (const [name, content] of Object.entries(changes.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function insertBefore(text: string, marker: string, items: string): string {
  const at = text.indexOf(marker);
  if (at === -1) throw new Error(`${RP_FILE} has no ${JSON.stringify(marker)}`);
  return `${text.slice(0, at)}\n${items.replace(/\n*$/, '')}${text.slice(at)}`;
}

/** The 1-based line of relying-party.yaml holding `needle` (the first such line, comments skipped). */
export function lineOf(confDir: string, needle: string): number {
  const index = readFileSync(path.join(confDir, RP_FILE), 'utf8')
    .split('\n')
    .findIndex((l) => !l.trimStart().startsWith('#') && l.includes(needle));
  if (index === -1) throw new Error(`${RP_FILE} has no line with ${needle}`);
  return index + 1;
}

export function loadRps(confDir: string): readonly RelyingParty[] {
  return loadConfiguration(
    { home: path.dirname(confDir), confDir, env: {} },
    verifyMetadataSignature,
  ).relyingParties;
}

/** The relying party `id` as loaded. */
export function loadRp(confDir: string, id: string): RelyingParty {
  const rp = loadRps(confDir).find((r) => r.id === id);
  if (!rp) throw new Error(`no relying party ${id}`);
  return rp;
}

/** The message of the configuration error loading fails with. */
export function loadFailure(confDir: string): string {
  try {
    loadRps(confDir);
  } catch (err) {
    if (err instanceof ConfigurationError) return err.message;
    throw err;
  }
  throw new Error('the configuration loaded');
}
