/**
 * Java-style .properties files (the format of Shibboleth's conf/idp.properties) with the line each
 * key came from, so a bad value can be reported as file:line.
 */
import { ConfigurationError } from './errors.js';

export interface PropertyEntry {
  value: string;
  /** Where the value came from: "conf/idp.properties:12", "environment IDP_PORT" or "default". */
  source: string;
}

export type PropertyMap = Map<string, PropertyEntry>;

export function parseProperties(text: string, fileLabel: string): PropertyMap {
  const entries: PropertyMap = new Map();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i]!.replace(/^\s+/, '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    // A line ending in an odd number of backslashes continues on the next line.
    while (/(^|[^\\])(\\\\)*\\$/.test(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    }
    const separator = findSeparator(logical);
    const rawKey = separator === -1 ? logical : logical.slice(0, separator);
    let rest = separator === -1 ? '' : logical.slice(separator + 1);
    rest = rest.replace(/^\s*[=:]?\s*/, '');
    const key = unescape(rawKey.trim());
    entries.set(key, { value: unescape(rest).trim(), source: `${fileLabel}:${startLine}` });
  }
  return entries;
}

function findSeparator(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t') return i;
  }
  return -1;
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    switch (esc) {
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      default:
        return esc;
    }
  });
}

/**
 * Expands %{name} and %{name:default} references, as Shibboleth does in its configuration files.
 * Unknown names without a default are a configuration error; cycles are caught.
 */
export function expandReferences(
  text: string,
  lookup: (name: string) => string | undefined,
  where: { file: string; key: string },
  seen: ReadonlySet<string> = new Set(),
): string {
  return text.replace(
    /%\{([^}:]+)(?::([^}]*))?\}/g,
    (_m, name: string, fallback: string | undefined) => {
      const key = name.trim();
      if (seen.has(key)) {
        throw new ConfigurationError(where.file, where.key, `circular reference to %{${key}}`);
      }
      const value = lookup(key);
      if (value === undefined) {
        if (fallback !== undefined) return fallback;
        throw new ConfigurationError(
          where.file,
          where.key,
          `refers to undefined property %{${key}}`,
        );
      }
      return expandReferences(value, lookup, where, new Set([...seen, key]));
    },
  );
}
