/**
 * Reads conf/idp.properties over the defaults, applies environment overrides, expands %{…}
 * references and checks every value against its declared type. The result is typed; nothing else
 * in the IdP parses a property.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { propertyDefinitions, type PropertyDefinition } from './defaults.js';
import { parseDuration } from './duration.js';
import { expandReferences, parseProperties, type PropertyEntry } from './properties.js';

export interface IdpProperties {
  readonly home: string;
  readonly confDir: string;
  readonly port: number;
  readonly listenAddress: string;
  readonly baseURL: string;
  readonly entityID: string;
  readonly scope: string;
  readonly storagePath: string;
  /** idp.storage.sqlite.busyTimeout */
  readonly storageBusyTimeoutMs: number;
  readonly directory: { readonly seedFile: string; readonly caseSensitive: boolean };
  readonly session: {
    readonly cookieName: string;
    readonly timeoutMs: number;
    readonly maxLifetimeMs: number;
    readonly secretFile: string;
    readonly cookieSecure: boolean;
    readonly sameSite: 'lax' | 'strict' | 'none';
  };
  readonly flowTimeoutMs: number;
  readonly csrfParameter: string;
  readonly login: { readonly maxFailures: number; readonly maxFailuresPerAccount: number; readonly failureWindowMs: number };
  readonly signing: { readonly key: string; readonly cert: string };
  readonly samlInbound: { readonly maxConcurrent: number; readonly maxMessageSize: number; readonly bodyTimeoutMs: number };
  readonly accessControl: { readonly statusPolicy: string; readonly reloadPolicy: string; readonly watch: boolean };
  readonly impersonate: {
    readonly generalPolicy: string;
    readonly specificPolicy: string;
    readonly maxNameLength: number;
  };
  readonly oidc: {
    readonly issuer: string;
    readonly keysFile: string;
    readonly cookieSecretFile: string;
    readonly accessTokenLifetimeMs: number;
    readonly idTokenLifetimeMs: number;
    readonly refreshTokenLifetimeMs: number;
    readonly impersonationTokenLifetimeMs: number;
    readonly impersonationRefreshTokens: boolean;
  };
  readonly logs: {
    readonly auditFile: string;
    readonly processFile: string;
    readonly fileLevel: string;
    readonly consoleLevel: string;
  };
  readonly demo: {
    readonly sp: { readonly port: number; readonly baseURL: string; readonly entityID: string };
    readonly oidc: { readonly port: number; readonly baseURL: string; readonly clientId: string; readonly clientSecret: string };
  };
  /** Expanded value of any property, for %{…} references in the YAML files. */
  readonly lookup: (key: string) => string | undefined;
}

export interface PropertySources {
  readonly home: string;
  readonly confDir: string;
  /** Environment variables; only those named in the defaults table are read. */
  readonly env?: NodeJS.ProcessEnv;
  /** Programmatic overrides (tests, several instances side by side); win over everything. */
  readonly overrides?: Readonly<Record<string, string>>;
}

export const PROPERTIES_FILE = 'idp.properties';

export function loadIdpProperties(sources: PropertySources): IdpProperties {
  const definitions = propertyDefinitions();
  const fileLabel = path.join(path.basename(sources.confDir), PROPERTIES_FILE);
  const fromFile = parseProperties(readFileSync(path.join(sources.confDir, PROPERTIES_FILE), 'utf8'), fileLabel);
  rejectUnknownKeys(fromFile, definitions);

  const raw = new Map<string, PropertyEntry>();
  raw.set('idp.home', { value: sources.home, source: 'idp.home' });
  raw.set('idp.conf', { value: sources.confDir, source: 'idp.conf' });
  for (const def of definitions) raw.set(def.key, { value: def.default, source: 'default' });
  for (const [key, entry] of fromFile) raw.set(key, entry);
  for (const def of definitions) {
    const fromEnv = sources.env?.[def.env];
    if (fromEnv !== undefined && fromEnv !== '') raw.set(def.key, { value: fromEnv, source: `environment ${def.env}` });
  }
  for (const [key, value] of Object.entries(sources.overrides ?? {})) raw.set(key, { value, source: 'override' });

  const expanded = new Map<string, string>();
  const lookup = (key: string): string | undefined => {
    const cached = expanded.get(key);
    if (cached !== undefined) return cached;
    const entry = raw.get(key);
    if (!entry) return undefined;
    const value = expandReferences(entry.value, (k) => raw.get(k)?.value, { file: entry.source, key });
    expanded.set(key, value);
    return value;
  };

  const typed = new Map<string, string | number | boolean>();
  for (const def of definitions) {
    typed.set(def.key, checkType(def, lookup(def.key)!, raw.get(def.key)!.source, sources.home));
  }
  const str = (k: string) => typed.get(k) as string;
  const num = (k: string) => typed.get(k) as number;
  const bool = (k: string) => typed.get(k) as boolean;

  const baseURL = stripSlash(str('idp.baseURL'));
  const secureSetting = str('idp.cookie.secure');
  const sameSite = str('idp.cookie.sameSite') as 'lax' | 'strict' | 'none';
  const cookieSecure = secureSetting === 'auto' ? baseURL.startsWith('https:') : secureSetting === 'true';
  if (sameSite === 'none' && !cookieSecure) {
    throw new ConfigurationError(raw.get('idp.cookie.sameSite')!.source, 'idp.cookie.sameSite', 'none requires secure cookies (an https idp.baseURL or idp.cookie.secure = true)');
  }

  const inRange = (key: string, min: number, max: number) => {
    const n = num(key);
    if (n < min || n > max) throw new ConfigurationError(raw.get(key)!.source, key, `must be between ${min} and ${max} (got ${n})`);
    return n;
  };

  return {
    home: sources.home,
    confDir: sources.confDir,
    port: num('idp.port'),
    listenAddress: str('idp.listenAddress'),
    baseURL,
    entityID: str('idp.entityID'),
    scope: str('idp.scope'),
    storagePath: str('idp.storage.sqlite.path'),
    storageBusyTimeoutMs: num('idp.storage.sqlite.busyTimeout'),
    directory: { seedFile: str('idp.directory.seedFile'), caseSensitive: bool('idp.directory.caseSensitive') },
    session: {
      cookieName: str('idp.session.cookieName'),
      timeoutMs: num('idp.session.timeout'),
      maxLifetimeMs: num('idp.session.maxLifetime'),
      secretFile: str('idp.session.secretFile'),
      cookieSecure,
      sameSite,
    },
    flowTimeoutMs: num('idp.flow.timeout'),
    csrfParameter: str('idp.csrf.token.parameter'),
    login: {
      maxFailures: num('idp.login.maxFailures'),
      maxFailuresPerAccount: num('idp.login.maxFailuresPerAccount'),
      failureWindowMs: num('idp.login.failureWindow'),
    },
    signing: { key: str('idp.signing.key'), cert: str('idp.signing.cert') },
    samlInbound: {
      maxConcurrent: inRange('idp.saml.inbound.maxConcurrent', 1, 100_000),
      maxMessageSize: inRange('idp.saml.inbound.maxMessageSize', 1024, 1024 * 1024),
      bodyTimeoutMs: num('idp.saml.inbound.bodyTimeout'),
    },
    accessControl: {
      statusPolicy: str('idp.accessControl.statusPolicy'),
      reloadPolicy: str('idp.accessControl.reloadPolicy'),
      watch: bool('idp.accessControl.watch'),
    },
    impersonate: {
      generalPolicy: str('idp.impersonate.generalPolicy'),
      specificPolicy: str('idp.impersonate.specificPolicy'),
      maxNameLength: num('idp.impersonate.maxNameLength'),
    },
    oidc: {
      issuer: stripSlash(str('idp.oidc.issuer')),
      keysFile: str('idp.oidc.keysFile'),
      cookieSecretFile: str('idp.oidc.cookieSecretFile'),
      accessTokenLifetimeMs: num('idp.oidc.accessTokenLifetime'),
      idTokenLifetimeMs: num('idp.oidc.idTokenLifetime'),
      refreshTokenLifetimeMs: num('idp.oidc.refreshTokenLifetime'),
      impersonationTokenLifetimeMs: num('idp.oidc.impersonation.tokenLifetime'),
      impersonationRefreshTokens: bool('idp.oidc.impersonation.refreshTokens'),
    },
    logs: {
      auditFile: str('idp.audit.file'),
      processFile: str('idp.process.file'),
      fileLevel: str('idp.loglevel.idp'),
      consoleLevel: str('idp.loglevel.console'),
    },
    demo: {
      sp: { port: num('demo.sp.port'), baseURL: stripSlash(str('demo.sp.baseURL')), entityID: str('demo.sp.entityID') },
      oidc: {
        port: num('demo.oidc.port'),
        baseURL: stripSlash(str('demo.oidc.baseURL')),
        clientId: str('demo.oidc.clientId'),
        clientSecret: str('demo.oidc.clientSecret'),
      },
    },
    lookup,
  };
}

/** A typo in a known namespace must not be silently ignored. */
function rejectUnknownKeys(fromFile: Map<string, PropertyEntry>, definitions: PropertyDefinition[]): void {
  const known = new Set(definitions.map((d) => d.key));
  for (const [key, entry] of fromFile) {
    if (known.has(key) || !/^(idp|demo)\./.test(key)) continue;
    const hint = closest(key, [...known]);
    throw new ConfigurationError(entry.source, key, `unknown property${hint ? ` (did you mean ${hint}?)` : ''}`);
  }
}

function checkType(def: PropertyDefinition, value: string, source: string, home: string): string | number | boolean {
  const fail = (why: string): never => {
    throw new ConfigurationError(source, def.key, `${why} (got ${JSON.stringify(value)})`);
  };
  const type = def.type;
  if (typeof type === 'object') {
    return type.enum.includes(value) ? value : fail(`must be one of ${type.enum.join(', ')}`);
  }
  switch (type) {
    case 'port': {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      return n >= 0 && n <= 65535 ? n : fail('must be a TCP port number (0-65535)');
    }
    case 'integer':
      return /^\d+$/.test(value) ? Number(value) : fail('must be a non-negative integer');
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : fail('must be true or false');
    case 'duration': {
      const ms = parseDuration(value);
      return ms !== undefined && ms > 0 ? ms : fail('must be a positive ISO-8601 duration such as PT10M');
    }
    case 'url':
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:' ? value : fail('must be an http(s) URL');
      } catch {
        return fail('must be an absolute URL');
      }
    case 'path':
      return value === '' ? fail('must not be empty') : path.resolve(home, value);
    case 'string':
      return value === '' ? fail('must not be empty') : value;
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function closest(key: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
