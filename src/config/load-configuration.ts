/**
 * The one validator: reads every file in the configuration folder, checks it, and returns typed
 * configuration. Anything wrong throws a ConfigurationError naming the file (with line) and the key,
 * before the IdP listens.
 *
 *   idp.properties            properties (see defaults.ts)
 *   relying-party.yaml        SAML service providers and OpenID Connect clients
 *   attribute-resolver.yaml   data connectors and attribute definitions
 *   attribute-filter.yaml     release rules per relying party
 *   access-control.yaml       named casbin policies
 *   errors.yaml               local error events (Shibboleth's LocalEventMap)
 *   audit.yaml                audit log format
 *   messages.properties       text of pages and error messages
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readAccessControlConf, type NamedPolicyFiles } from '../access/policy-files.js';
import type { AttributeFilterPolicy } from '../attribute/attribute-filter.js';
import type { AttributeDefinition } from '../attribute/attribute-resolver.js';
import { ConfigurationError } from '../core/errors.js';
import { NAMEID_FORMATS, type NameIdFormat, type RelyingParty, type ResourceServer } from '../relying-party/relying-party.js';
import { spMetadataKeys, toPem } from '../relying-party/sp-metadata.js';
import { loadIdpProperties, type IdpProperties, type PropertySources } from './idp-properties.js';
import { parseProperties } from './properties.js';
import { YamlConf, type ConfNode } from './yaml-conf.js';

/** Claims the OpenID Provider sets itself; no attribute may be released under these names. */
const RESERVED_CLAIMS = new Set(['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', 'at_hash', 'c_hash', 'act', 'may_act', 'client_id', 'scope', 'cnf']);

export interface DataConnectorConfig {
  readonly id: string;
  readonly type: 'directory';
}

export interface IdpConfiguration {
  readonly properties: IdpProperties;
  readonly relyingParties: readonly RelyingParty[];
  /** Resource servers that may introspect OpenID Connect clients' access tokens. */
  readonly resourceServers: readonly ResourceServer[];
  readonly dataConnectors: readonly DataConnectorConfig[];
  readonly attributeDefinitions: readonly AttributeDefinition[];
  readonly attributeFilterPolicies: readonly AttributeFilterPolicy[];
  readonly accessControlPolicies: readonly NamedPolicyFiles[];
  /** event → whether it is audited (Shibboleth's shibboleth.LocalEventMap). */
  readonly localEvents: ReadonlyMap<string, boolean>;
  readonly audit: { readonly format: string; readonly fieldReplacements: ReadonlyMap<string, string> };
  readonly messages: ReadonlyMap<string, string>;
}

export const CONF_FILES = {
  relyingParty: 'relying-party.yaml',
  attributeResolver: 'attribute-resolver.yaml',
  attributeFilter: 'attribute-filter.yaml',
  accessControl: 'access-control.yaml',
  errors: 'errors.yaml',
  audit: 'audit.yaml',
  messages: 'messages.properties',
} as const;

export function loadConfiguration(sources: PropertySources): IdpConfiguration {
  const properties = loadIdpProperties(sources);
  const read = (name: string) => YamlConf.read(path.join(sources.confDir, name), properties.lookup);

  const resolverConf = read(CONF_FILES.attributeResolver).root;
  const dataConnectors = loadDataConnectors(resolverConf);
  const attributeDefinitions = loadAttributeDefinitions(resolverConf, dataConnectors);
  const relyingPartyConf = read(CONF_FILES.relyingParty).root;
  const relyingParties = loadRelyingParties(relyingPartyConf, sources.confDir);
  return {
    properties,
    relyingParties,
    resourceServers: loadResourceServers(relyingPartyConf, relyingParties),
    dataConnectors,
    attributeDefinitions,
    attributeFilterPolicies: loadAttributeFilter(read(CONF_FILES.attributeFilter).root, attributeDefinitions),
    accessControlPolicies: readAccessControlConf(read(CONF_FILES.accessControl).root, sources.confDir),
    localEvents: loadLocalEvents(read(CONF_FILES.errors).root),
    audit: loadAudit(read(CONF_FILES.audit).root),
    messages: loadMessages(sources.confDir),
  };
}

const OIDC_SCOPES_ALWAYS = ['openid'];

function loadRelyingParties(root: ConfNode, confDir: string): RelyingParty[] {
  root.allowKeys('defaults', 'samlServiceProviders', 'oidcClients', 'resourceServers');
  const defaults = root.child('defaults').allowKeys('postAuthenticationFlows');
  const defaultFlows = defaults.strings('postAuthenticationFlows');
  const seen = new Set<string>();
  const flowsOf = (node: ConfNode) =>
    (node.has('postAuthenticationFlows') ? node.strings('postAuthenticationFlows') : defaultFlows)
      .map((f) => f.trim())
      .filter((f) => f !== '');
  const saml = root.list('samlServiceProviders').map((sp: ConfNode): RelyingParty => {
    sp.allowKeys(
      'entityID', 'displayName', 'assertionConsumerServiceURL', 'metadataFile', 'signingCertificate',
      'wantAuthnRequestsSigned', 'allowSha1Signatures', 'signAssertions', 'signResponses', 'nameIDFormat',
      'postAuthenticationFlows',
    );
    const id = sp.string('entityID');
    if (seen.has(id)) sp.fail('duplicate relying party', 'entityID');
    seen.add(id);
    const acs = sp.string('assertionConsumerServiceURL');
    checkUrl(sp, 'assertionConsumerServiceURL', acs);
    const metadataFile = sp.optionalString('metadataFile');
    const metadataXml = metadataFile ? readText(sp, 'metadataFile', path.resolve(confDir, metadataFile)) : undefined;
    const certFile = sp.optionalString('signingCertificate');
    const signingCertificate = certFile ? readPem(sp, 'signingCertificate', path.resolve(confDir, certFile)) : undefined;
    const keys = requestSigning(sp, id, signingCertificate, metadataXml);
    const format = sp.string('nameIDFormat', 'unspecified');
    if (!(format in NAMEID_FORMATS)) sp.fail(`must be one of ${Object.keys(NAMEID_FORMATS).join(', ')}`, 'nameIDFormat');
    return {
      kind: 'saml' as const,
      id,
      displayName: sp.string('displayName', id),
      assertionConsumerServiceURL: acs,
      signingCertificate,
      metadataXml,
      ...keys,
      signAssertions: sp.boolean('signAssertions', true),
      signResponses: sp.boolean('signResponses', true),
      nameIDFormat: format as NameIdFormat,
      postAuthenticationFlows: flowsOf(sp),
      declaredAt: sp.conf.where(sp.at),
    };
  });
  const oidc = root.list('oidcClients').map((c: ConfNode): RelyingParty => {
    c.allowKeys(
      'clientId', 'clientSecret', 'displayName', 'redirectUris', 'scopes', 'refreshTokens',
      'tokenEndpointAuthMethod', 'postAuthenticationFlows',
    );
    const id = c.string('clientId');
    if (seen.has(id)) c.fail('duplicate relying party (client ids and entity IDs share one namespace)', 'clientId');
    seen.add(id);
    const redirectUris = c.strings('redirectUris');
    if (redirectUris.length === 0) c.fail('must list at least one redirect URI', 'redirectUris');
    for (const uri of redirectUris) checkUrl(c, 'redirectUris', uri);
    return {
      kind: 'oidc' as const,
      id,
      clientSecret: clientSecret(c),
      displayName: c.string('displayName', id),
      redirectUris,
      scopes: [...new Set([...OIDC_SCOPES_ALWAYS, ...c.strings('scopes', ['openid', 'profile', 'email'])])],
      refreshTokens: c.boolean('refreshTokens', false),
      tokenEndpointAuthMethod: tokenEndpointAuthMethod(c),
      postAuthenticationFlows: flowsOf(c),
      declaredAt: c.conf.where(c.at),
    };
  });
  return [...saml, ...oidc];
}

/**
 * Which certificates verify the SP's AuthnRequests, whether it must sign them, and whether SHA-1
 * is tolerated. A signature requirement (or a SHA-1 allowance) without any certificate could never
 * be met, so it fails here rather than on every request.
 */
function requestSigning(sp: ConfNode, id: string, signingCertificate: string | undefined, metadataXml: string | undefined) {
  let fromMetadata = { signingCertificates: [] as string[], authnRequestsSigned: false };
  if (metadataXml !== undefined) {
    try {
      fromMetadata = spMetadataKeys(metadataXml, id);
    } catch (err) {
      sp.fail((err as Error).message, 'metadataFile');
    }
  }
  const signingCertificates = [...new Set([...(signingCertificate ? [signingCertificate] : []), ...fromMetadata.signingCertificates])];
  const hasCertificate = signingCertificates.length > 0;
  const wantAuthnRequestsSigned = sp.boolean('wantAuthnRequestsSigned', hasCertificate || fromMetadata.authnRequestsSigned);
  if (wantAuthnRequestsSigned && !hasCertificate) {
    sp.fail('signed AuthnRequests are required but the SP has no certificate (signingCertificate, or a signing KeyDescriptor in metadataFile)', 'wantAuthnRequestsSigned');
  }
  const allowSha1Signatures = sp.boolean('allowSha1Signatures', false);
  if (allowSha1Signatures && !hasCertificate) sp.fail('has no effect: the SP has no certificate to verify signatures with', 'allowSha1Signatures');
  return { signingCertificates, wantAuthnRequestsSigned, allowSha1Signatures };
}

/**
 * resourceServers[]: protected resources that authenticate like clients but may only introspect
 * the access tokens of the clients they list. Their ids share the relying parties' namespace
 * (the attribute filter names them as requesters).
 */
function loadResourceServers(root: ConfNode, relyingParties: readonly RelyingParty[]): ResourceServer[] {
  const taken = new Set(relyingParties.map((rp) => rp.id));
  const clients = new Set(relyingParties.filter((rp) => rp.kind === 'oidc').map((rp) => rp.id));
  return root.list('resourceServers').map((r: ConfNode): ResourceServer => {
    r.allowKeys('clientId', 'clientSecret', 'displayName', 'tokenEndpointAuthMethod', 'introspectTokensOf');
    const id = r.string('clientId');
    if (taken.has(id)) r.fail('duplicate id (resource servers, client ids and entity IDs share one namespace)', 'clientId');
    taken.add(id);
    const introspectTokensOf = r.strings('introspectTokensOf');
    if (introspectTokensOf.length === 0) r.fail('must list at least one OpenID Connect client id', 'introspectTokensOf');
    introspectTokensOf.forEach((clientId, i) => {
      if (!clients.has(clientId)) r.child('introspectTokensOf').fail(`${clientId} is no client in oidcClients`, i);
    });
    return {
      id,
      clientSecret: clientSecret(r),
      displayName: r.string('displayName', id),
      tokenEndpointAuthMethod: tokenEndpointAuthMethod(r),
      introspectTokensOf,
      declaredAt: r.conf.where(r.at),
    };
  });
}

function clientSecret(node: ConfNode): string {
  const secret = node.string('clientSecret');
  if (secret.length < 16) node.fail('must be at least 16 characters', 'clientSecret');
  return secret;
}

function tokenEndpointAuthMethod(node: ConfNode): 'client_secret_basic' | 'client_secret_post' {
  const method = node.string('tokenEndpointAuthMethod', 'client_secret_basic');
  if (method !== 'client_secret_basic' && method !== 'client_secret_post') {
    node.fail('must be client_secret_basic or client_secret_post', 'tokenEndpointAuthMethod');
  }
  return method;
}

function loadDataConnectors(root: ConfNode): DataConnectorConfig[] {
  root.allowKeys('dataConnectors', 'attributeDefinitions');
  return root.list('dataConnectors').map((c: ConfNode) => {
    c.allowKeys('id', 'type');
    const type = c.string('type');
    if (type !== 'directory') c.fail('must be directory (the embedded user directory)', 'type');
    return { id: c.string('id'), type };
  });
}

function loadAttributeDefinitions(root: ConfNode, connectors: readonly DataConnectorConfig[]): AttributeDefinition[] {
  const connectorIds = new Set(connectors.map((c) => c.id));
  const ids = new Set<string>();
  const claims = new Set<string>();
  return root.list('attributeDefinitions').map((d: ConfNode) => {
    d.allowKeys('id', 'type', 'dataConnector', 'sourceAttribute', 'scope', 'excludeLabels', 'saml2', 'oidc');
    const id = d.string('id');
    if (ids.has(id)) d.fail('duplicate attribute id', 'id');
    ids.add(id);
    const type = d.string('type', 'simple');
    if (type !== 'simple' && type !== 'scoped' && type !== 'principalName') d.fail('must be simple, scoped or principalName', 'type');
    const connector = d.string('dataConnector', connectors[0]?.id ?? '');
    if (!connectorIds.has(connector)) d.fail(`names no data connector (have ${[...connectorIds].join(', ')})`, 'dataConnector');
    const saml2 = d.has('saml2') ? d.child('saml2').allowKeys('name', 'friendlyName', 'nameFormat') : undefined;
    const oidc = d.has('oidc') ? d.child('oidc').allowKeys('claim', 'scope', 'multiValued') : undefined;
    const claim = oidc?.string('claim');
    if (claim !== undefined) {
      if (RESERVED_CLAIMS.has(claim)) oidc!.fail(`${claim} is set by the OpenID Provider itself`, 'claim');
      if (claims.has(claim)) oidc!.fail(`claim ${claim} is already produced by another attribute`, 'claim');
      claims.add(claim);
    }
    return {
      id,
      type,
      connector,
      sourceAttribute: d.string('sourceAttribute', id),
      scope: type === 'scoped' ? d.string('scope') : undefined,
      excludeLabels: d.strings('excludeLabels'),
      saml2: saml2 && {
        name: saml2.string('name'),
        friendlyName: saml2.optionalString('friendlyName'),
        nameFormat: saml2.string('nameFormat', 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri'),
      },
      oidc: oidc && {
        claim: claim!,
        scope: oidc.string('scope', 'profile'),
        multiValued: oidc.boolean('multiValued', false),
      },
    };
  });
}

function loadAttributeFilter(root: ConfNode, definitions: readonly AttributeDefinition[]): AttributeFilterPolicy[] {
  root.allowKeys('policies');
  const known = new Set(definitions.map((d) => d.id));
  return root.list('policies').map((p: ConfNode) => {
    p.allowKeys('id', 'requesters', 'permit', 'deny');
    const requesters = p.strings('requesters');
    if (requesters.length === 0) p.fail('must list at least one relying party id (or "*")', 'requesters');
    for (const key of ['permit', 'deny'] as const) {
      for (const id of p.strings(key)) {
        if (id !== '*' && !known.has(id)) p.fail(`names unknown attribute ${id}`, key);
      }
    }
    return { id: p.string('id'), requesters, permit: p.strings('permit'), deny: p.strings('deny') };
  });
}

function loadLocalEvents(root: ConfNode): Map<string, boolean> {
  root.allowKeys('localEvents');
  const node = root.child('localEvents');
  return new Map(root.entries('localEvents').map(([event]) => [event, node.boolean(event, false)]));
}

function loadAudit(root: ConfNode) {
  root.allowKeys('format', 'fieldReplacements');
  const format = root.string('format');
  if (!/%[A-Za-z0-9-]/.test(format)) root.fail('contains no %field', 'format');
  const replacements = root.child('fieldReplacements');
  return {
    format,
    fieldReplacements: new Map(root.entries('fieldReplacements').map(([from]) => [from, replacements.string(from)])),
  };
}

function loadMessages(confDir: string): Map<string, string> {
  const file = path.join(confDir, CONF_FILES.messages);
  const label = path.join(path.basename(confDir), CONF_FILES.messages);
  if (!existsSync(file)) throw new ConfigurationError(label, '(file)', 'file not found');
  return new Map([...parseProperties(readFileSync(file, 'utf8'), label)].map(([k, v]) => [k, v.value]));
}

function checkUrl(node: ConfNode, key: string, value: string): void {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') node.fail('must be an http(s) URL', key);
  } catch {
    node.fail('must be an absolute URL', key);
  }
}

function readText(node: ConfNode, key: string, file: string): string {
  if (!existsSync(file)) node.fail(`file not found: ${file}`, key);
  return readFileSync(file, 'utf8');
}

function readPem(node: ConfNode, key: string, file: string): string {
  const text = readText(node, key, file);
  if (!text.includes('-----BEGIN CERTIFICATE-----')) node.fail('is not a PEM certificate', key);
  try {
    return toPem(text);
  } catch (err) {
    return node.fail((err as Error).message, key);
  }
}
