/**
 * Reads conf/idp.properties over the defaults, applies environment overrides, expands %{…}
 * references and checks every value against its declared type (typed-properties.ts). The result is
 * typed; nothing else in the IdP parses a property.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { expandReferences, parseProperties, type PropertyEntry } from '../core/properties.js';
import { propertyDefinitions, type PropertyDefinition } from './defaults.js';
import { typedProperties, type TypedProperties } from './typed-properties.js';

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
  readonly login: {
    readonly maxFailures: number;
    readonly maxFailuresPerAccount: number;
    readonly failureWindowMs: number;
  };
  readonly signing: { readonly key: string; readonly cert: string };
  readonly samlInbound: {
    readonly maxConcurrent: number;
    readonly maxMessageSize: number;
    readonly bodyTimeoutMs: number;
  };
  readonly accessControl: {
    readonly statusPolicy: string;
    readonly reloadPolicy: string;
    readonly watch: boolean;
  };
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
    readonly oidc: {
      readonly port: number;
      readonly baseURL: string;
      readonly clientId: string;
      readonly clientSecret: string;
    };
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
  const raw = rawProperties(sources, definitions);
  const lookup = expandingLookup(raw);
  const p = typedProperties(definitions, raw, lookup, sources.home);
  const baseURL = stripSlash(p.str('idp.baseURL'));
  const session = sessionProperties(p, raw, baseURL);
  return {
    home: sources.home,
    confDir: sources.confDir,
    port: p.num('idp.port'),
    listenAddress: p.str('idp.listenAddress'),
    baseURL,
    entityID: p.str('idp.entityID'),
    scope: p.str('idp.scope'),
    storagePath: p.str('idp.storage.sqlite.path'),
    storageBusyTimeoutMs: p.num('idp.storage.sqlite.busyTimeout'),
    directory: {
      seedFile: p.str('idp.directory.seedFile'),
      caseSensitive: p.bool('idp.directory.caseSensitive'),
    },
    session,
    flowTimeoutMs: p.num('idp.flow.timeout'),
    csrfParameter: p.str('idp.csrf.token.parameter'),
    login: {
      maxFailures: p.num('idp.login.maxFailures'),
      maxFailuresPerAccount: p.num('idp.login.maxFailuresPerAccount'),
      failureWindowMs: p.num('idp.login.failureWindow'),
    },
    signing: { key: p.str('idp.signing.key'), cert: p.str('idp.signing.cert') },
    samlInbound: samlInboundProperties(p),
    accessControl: {
      statusPolicy: p.str('idp.accessControl.statusPolicy'),
      reloadPolicy: p.str('idp.accessControl.reloadPolicy'),
      watch: p.bool('idp.accessControl.watch'),
    },
    impersonate: {
      generalPolicy: p.str('idp.impersonate.generalPolicy'),
      specificPolicy: p.str('idp.impersonate.specificPolicy'),
      maxNameLength: p.num('idp.impersonate.maxNameLength'),
    },
    oidc: oidcProperties(p),
    logs: {
      auditFile: p.str('idp.audit.file'),
      processFile: p.str('idp.process.file'),
      fileLevel: p.str('idp.loglevel.idp'),
      consoleLevel: p.str('idp.loglevel.console'),
    },
    demo: demoProperties(p),
    lookup,
  };
}

/**
 * Every property with where its value comes from, lowest precedence first: idp.home and idp.conf,
 * the defaults, conf/idp.properties, the environment, the programmatic overrides.
 */
function rawProperties(
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
function expandingLookup(
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

/** Session cookie settings; SameSite=None is refused unless the cookie is Secure. */
function sessionProperties(
  p: TypedProperties,
  raw: ReadonlyMap<string, PropertyEntry>,
  baseURL: string,
): IdpProperties['session'] {
  const secureSetting = p.str('idp.cookie.secure');
  const sameSite = p.str('idp.cookie.sameSite') as 'lax' | 'strict' | 'none';
  const cookieSecure =
    secureSetting === 'auto' ? baseURL.startsWith('https:') : secureSetting === 'true';
  if (sameSite === 'none' && !cookieSecure) {
    throw new ConfigurationError(
      raw.get('idp.cookie.sameSite')!.source,
      'idp.cookie.sameSite',
      'none requires secure cookies (an https idp.baseURL or idp.cookie.secure = true)',
    );
  }
  return {
    cookieName: p.str('idp.session.cookieName'),
    timeoutMs: p.num('idp.session.timeout'),
    maxLifetimeMs: p.num('idp.session.maxLifetime'),
    secretFile: p.str('idp.session.secretFile'),
    cookieSecure,
    sameSite,
  };
}

function samlInboundProperties(p: TypedProperties): IdpProperties['samlInbound'] {
  return {
    maxConcurrent: p.inRange('idp.saml.inbound.maxConcurrent', 1, 100_000),
    maxMessageSize: p.inRange('idp.saml.inbound.maxMessageSize', 1024, 1024 * 1024),
    bodyTimeoutMs: p.num('idp.saml.inbound.bodyTimeout'),
  };
}

function oidcProperties(p: TypedProperties): IdpProperties['oidc'] {
  return {
    issuer: stripSlash(p.str('idp.oidc.issuer')),
    keysFile: p.str('idp.oidc.keysFile'),
    cookieSecretFile: p.str('idp.oidc.cookieSecretFile'),
    accessTokenLifetimeMs: p.num('idp.oidc.accessTokenLifetime'),
    idTokenLifetimeMs: p.num('idp.oidc.idTokenLifetime'),
    refreshTokenLifetimeMs: p.num('idp.oidc.refreshTokenLifetime'),
    impersonationTokenLifetimeMs: p.num('idp.oidc.impersonation.tokenLifetime'),
    impersonationRefreshTokens: p.bool('idp.oidc.impersonation.refreshTokens'),
  };
}

function demoProperties(p: TypedProperties): IdpProperties['demo'] {
  return {
    sp: {
      port: p.num('demo.sp.port'),
      baseURL: stripSlash(p.str('demo.sp.baseURL')),
      entityID: p.str('demo.sp.entityID'),
    },
    oidc: {
      port: p.num('demo.oidc.port'),
      baseURL: stripSlash(p.str('demo.oidc.baseURL')),
      clientId: p.str('demo.oidc.clientId'),
      clientSecret: p.str('demo.oidc.clientSecret'),
    },
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

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The candidate nearest to a misspelt `key` (at most 3 edits, case aside), for a "did you mean". */
export function closest(key: string, candidates: readonly string[]): string | undefined {
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
