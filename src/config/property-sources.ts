/**
 * Where each property's value comes from, lowest precedence first — idp.home and idp.conf, the
 * defaults (defaults.ts), conf/idp.properties, the environment, programmatic overrides — and its
 * %{…} references expanded. A misspelt idp.* or demo.* key in the file is refused.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { expandReferences, parseProperties, type PropertyEntry } from '../core/properties.js';
import type { PropertyDefinition } from './defaults.js';
import { closest } from './suggestions.js';

export interface PropertySources {
  readonly home: string;
  readonly confDir: string;
  /** Environment variables; only those named in the defaults table are read. */
  readonly env?: NodeJS.ProcessEnv;
  /** Programmatic overrides (tests, several instances side by side); win over everything. */
  readonly overrides?: Readonly<Record<string, string>>;
}

export const PROPERTIES_FILE = 'idp.properties';

/**
 * Every property with where its value comes from, lowest precedence first: idp.home and idp.conf,
 * the defaults, conf/idp.properties, the environment, the programmatic overrides.
 */
export function rawProperties(
  sources: PropertySources,
  definitions: PropertyDefinition[],
): Map<string, PropertyEntry> {
  const fileLabel = path.join(path.basename(sources.confDir), PROPERTIES_FILE);
  const fromFile = parseProperties(
    readFileSync(path.join(sources.confDir, PROPERTIES_FILE), 'utf8'),
    fileLabel,
  );
  rejectUnknownKeys(fromFile, definitions);

  const raw = new Map<string, PropertyEntry>();
  raw.set('idp.home', { value: sources.home, source: 'idp.home' });
  raw.set('idp.conf', { value: sources.confDir, source: 'idp.conf' });
  for (const def of definitions) raw.set(def.key, { value: def.default, source: 'default' });
  for (const [key, entry] of fromFile) raw.set(key, entry);
  for (const def of definitions) {
    const fromEnv = sources.env?.[def.env];
    if (fromEnv !== undefined && fromEnv !== '')
      raw.set(def.key, { value: fromEnv, source: `environment ${def.env}` });
  }
  for (const [key, value] of Object.entries(sources.overrides ?? {}))
    raw.set(key, { value, source: 'override' });
  return raw;
}

/** The value of a property with its %{…} references expanded, each expanded once. */
export function expandingLookup(
  raw: ReadonlyMap<string, PropertyEntry>,
): (key: string) => string | undefined {
  const expanded = new Map<string, string>();
  return (key: string): string | undefined => {
    const cached = expanded.get(key);
    if (cached !== undefined) return cached;
    const entry = raw.get(key);
    if (!entry) return undefined;
    const value = expandReferences(entry.value, (k) => raw.get(k)?.value, {
      file: entry.source,
      key,
    });
    expanded.set(key, value);
    return value;
  };
}

/** A typo in a known namespace must not be silently ignored. */
function rejectUnknownKeys(
  fromFile: Map<string, PropertyEntry>,
  definitions: PropertyDefinition[],
): void {
  const known = new Set(definitions.map((d) => d.key));
  for (const [key, entry] of fromFile) {
    if (known.has(key) || !/^(idp|demo)\./.test(key)) continue;
    const hint = closest(key, [...known]);
    throw new ConfigurationError(
      entry.source,
      key,
      `unknown property${hint ? ` (did you mean ${hint}?)` : ''}`,
    );
  }
}
