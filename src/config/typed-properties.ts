/**
 * The properties of conf/idp.properties as typed values: each defined property's expanded value is
 * checked against the type its definition declares (defaults.ts) and converted — a port or integer
 * to a number, a duration to milliseconds, a path resolved against idp.home. A value that does not
 * fit its type is a ConfigurationError naming where the value came from.
 */
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import type { PropertyEntry } from '../core/properties.js';
import type { PropertyDefinition, PropertyType } from './defaults.js';
import { parseDuration } from './duration.js';

/** The defined properties, each checked against its type. */
export interface TypedProperties {
  str(key: string): string;
  num(key: string): number;
  bool(key: string): boolean;
  /** A number property that must lie between min and max. */
  inRange(key: string, min: number, max: number): number;
}

export function typedProperties(
  definitions: PropertyDefinition[],
  raw: ReadonlyMap<string, PropertyEntry>,
  lookup: (key: string) => string | undefined,
  home: string,
): TypedProperties {
  const typed = new Map<string, string | number | boolean>();
  for (const def of definitions) {
    typed.set(def.key, checkType(def, lookup(def.key)!, raw.get(def.key)!.source, home));
  }
  const num = (k: string) => typed.get(k) as number;
  return {
    str: (k) => typed.get(k) as string,
    num,
    bool: (k) => typed.get(k) as boolean,
    inRange: (key, min, max) => {
      const n = num(key);
      if (n < min || n > max)
        throw new ConfigurationError(
          raw.get(key)!.source,
          key,
          `must be between ${min} and ${max} (got ${n})`,
        );
      return n;
    },
  };
}

function checkType(
  def: PropertyDefinition,
  value: string,
  source: string,
  home: string,
): string | number | boolean {
  const fail = (why: string): never => {
    throw new ConfigurationError(source, def.key, `${why} (got ${JSON.stringify(value)})`);
  };
  const type = def.type;
  if (typeof type === 'object') {
    return type.enum.includes(value) ? value : fail(`must be one of ${type.enum.join(', ')}`);
  }
  return TYPE_CHECKS[type](value, fail, home);
}

type TypeCheck = (
  value: string,
  fail: (why: string) => never,
  home: string,
) => string | number | boolean;

/** The value of a property of each (non-enum) type, or fail's error saying what it must be. */
const TYPE_CHECKS: Record<Exclude<PropertyType, object>, TypeCheck> = {
  port: (value, fail) => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    return n >= 0 && n <= 65535 ? n : fail('must be a TCP port number (0-65535)');
  },
  integer: (value, fail) =>
    /^\d+$/.test(value) ? Number(value) : fail('must be a non-negative integer'),
  boolean: (value, fail) =>
    value === 'true' ? true : value === 'false' ? false : fail('must be true or false'),
  duration: (value, fail) => {
    const ms = parseDuration(value);
    return ms !== undefined && ms > 0
      ? ms
      : fail('must be a positive ISO-8601 duration such as PT10M');
  },
  url: (value, fail) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:'
        ? value
        : fail('must be an http(s) URL');
    } catch {
      return fail('must be an absolute URL');
    }
  },
  path: (value, fail, home) =>
    value === '' ? fail('must not be empty') : path.resolve(home, value),
  string: (value, fail) => (value === '' ? fail('must not be empty') : value),
  'optional path': (value, _fail, home) => (value === '' ? '' : path.resolve(home, value)),
  'optional string': (value) => value,
};
