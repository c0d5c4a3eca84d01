/**
 * Reads conf/idp.properties over the defaults, applies environment overrides, expands %{…}
 * references (property-sources.ts) and checks every value against its declared type
 * (typed-properties.ts). The result is
 * typed; nothing else in the IdP parses a property.
 */
import { ConfigurationError } from '../core/errors.js';
import type { PropertyEntry } from '../core/properties.js';
import { propertyDefinitions } from './defaults.js';
import { auditProperties, type AuditProperties } from './audit-properties.js';
import type { SigningFiles } from '../credentials/signing-credential.js';
import {
  metadataProperties,
  signingFiles,
  type MetadataProperties,
} from './metadata-properties.js';
import type { LdapDirectorySettings } from '../directory/ldap-settings.js';
import { ldapProperties, type DirectoryType } from './ldap-properties.js';
import { nodeProperties, type NodeProperties } from './node-properties.js';
import { expandingLookup, rawProperties, type PropertySources } from './property-sources.js';
import { storageProperties, type StorageProperties } from './storage-properties.js';
import { typedProperties, type TypedProperties } from './typed-properties.js';

export interface IdpProperties extends NodeProperties {
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
  /** Where the state shared by a cluster's nodes lives (idp.storage.type, idp.storage.redis.*). */
  readonly sharedState: StorageProperties;
  readonly directory: {
    readonly seedFile: string;
    readonly caseSensitive: boolean;
    /** idp.directory.type: the embedded SQLite directory, or LDAP. */
    readonly type: DirectoryType;
    /** The idp.authn.LDAP.* settings; set exactly when type is ldap. */
    readonly ldap: LdapDirectorySettings | undefined;
  };
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
  readonly signing: SigningFiles;
  /** What /idp/shibboleth publishes besides endpoints and keys (idp.metadata.*). */
  readonly metadata: MetadataProperties;
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
  /** The auditors' page (src/admin/audit-review.ts). */
  readonly auditReview: {
    readonly policy: string;
    readonly maxRows: number;
    readonly defaultWindowMs: number;
  };
  readonly impersonate: {
    readonly generalPolicy: string;
    readonly specificPolicy: string;
    readonly maxNameLength: number;
    /** idp.impersonate.reason.*: the reason field's limit and whether it is required by default. */
    readonly reasonMaxLength: number;
    readonly reasonRequired: boolean;
    /** idp.impersonate.sessionLifetime: SAML SessionNotOnOrAfter of an impersonated assertion. */
    readonly sessionLifetimeMs: number;
    /** idp.impersonate.identify.protectedAccounts: a protected account may be previewed. */
    readonly identifyProtected: boolean;
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
  /** The audit chain, its checkpoints and rotation (idp.audit.*). */
  readonly audit: AuditProperties;
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
    ...nodeProperties(p, raw),
    storagePath: p.str('idp.storage.sqlite.path'),
    storageBusyTimeoutMs: p.num('idp.storage.sqlite.busyTimeout'),
    sharedState: storageProperties(p, raw),
    directory: {
      seedFile: p.str('idp.directory.seedFile'),
      caseSensitive: p.bool('idp.directory.caseSensitive'),
      type: p.str('idp.directory.type') as DirectoryType,
      ldap: ldapProperties(p, raw),
    },
    session,
    flowTimeoutMs: p.num('idp.flow.timeout'),
    csrfParameter: p.str('idp.csrf.token.parameter'),
    login: {
      maxFailures: p.num('idp.login.maxFailures'),
      maxFailuresPerAccount: p.num('idp.login.maxFailuresPerAccount'),
      failureWindowMs: p.num('idp.login.failureWindow'),
    },
    signing: signingFiles(p, raw),
    metadata: metadataProperties(p, raw),
    samlInbound: samlInboundProperties(p),
    accessControl: {
      statusPolicy: p.str('idp.accessControl.statusPolicy'),
      reloadPolicy: p.str('idp.accessControl.reloadPolicy'),
      watch: p.bool('idp.accessControl.watch'),
    },
    auditReview: {
      policy: p.str('idp.audit.reviewPolicy'),
      maxRows: p.inRange('idp.audit.review.maxRows', 1, 10_000),
      defaultWindowMs: p.num('idp.audit.review.defaultWindow'),
    },
    impersonate: impersonateProperties(p),
    oidc: oidcProperties(p),
    logs: {
      auditFile: p.str('idp.audit.file'),
      processFile: p.str('idp.process.file'),
      fileLevel: p.str('idp.loglevel.idp'),
      consoleLevel: p.str('idp.loglevel.console'),
    },
    audit: auditProperties(p, raw),
    demo: demoProperties(p),
    lookup,
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

function impersonateProperties(p: TypedProperties): IdpProperties['impersonate'] {
  return {
    generalPolicy: p.str('idp.impersonate.generalPolicy'),
    specificPolicy: p.str('idp.impersonate.specificPolicy'),
    maxNameLength: p.num('idp.impersonate.maxNameLength'),
    reasonMaxLength: p.inRange('idp.impersonate.reason.maxLength', 1, 10_000),
    reasonRequired: p.bool('idp.impersonate.reason.required'),
    sessionLifetimeMs: p.num('idp.impersonate.sessionLifetime'),
    identifyProtected: p.bool('idp.impersonate.identify.protectedAccounts'),
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

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
