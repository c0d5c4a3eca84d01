/**
 * conf/relying-party.yaml: SAML service providers, OpenID Connect clients and the resource servers
 * that may introspect those clients' access tokens. Entity IDs, client ids and resource server ids
 * share one namespace.
 */
import path from 'node:path';
import type { ConfNode } from '../core/yaml-conf.js';
import {
  type OidcClient,
  type RelyingParty,
  type ResourceServer,
  type SamlServiceProvider,
} from '../relying-party/relying-party.js';
import type { ImpersonationLevel } from '../relying-party/rp-impersonation.js';
import { MetadataCatalog } from '../relying-party/metadata/metadata-catalog.js';
import { readPem } from './conf-files.js';
import { unlistedSpEntries } from './metadata-providers-conf.js';
import { impersonationSettings } from './impersonation-conf.js';
import { assertionEncryption, ENCRYPTION_KEYS } from './saml-sp-encryption-conf.js';
import { clientMetadataLevel } from './oidc-client-metadata.js';
import { spRegistration } from './saml-sp-registration-conf.js';
import { nameIdFormats } from './saml-sp-nameid-conf.js';
import { requestSigning } from './saml-sp-signing-conf.js';
import { LOGOUT_KEYS, singleLogout } from './saml-sp-logout-conf.js';

const OIDC_SCOPES_ALWAYS = ['openid'];

/** SAML service providers first, then OpenID Connect clients, each in file order. */
export function loadRelyingParties(
  root: ConfNode,
  confDir: string,
  catalog = new MetadataCatalog(),
): RelyingParty[] {
  root.allowKeys(
    'defaults',
    'metadataProviders',
    'samlServiceProviders',
    'oidcClients',
    'resourceServers',
  );
  const seen = new Set<string>();
  const saml = loadSamlServiceProviders(root, confDir, catalog, seen);
  const defaultFlows = root.child('defaults').strings('postAuthenticationFlows');
  const oidc = root.list('oidcClients').map((c) => oidcClient(c, confDir, seen, defaultFlows));
  return [...saml, ...oidc];
}

/**
 * samlServiceProviders in file order, then the unlisted SPs of serveUnlisted metadata providers
 * (with every default). Run again with a new catalog at each metadata refresh; `seen` holds the
 * ids already taken.
 */
export function loadSamlServiceProviders(
  root: ConfNode,
  confDir: string,
  catalog: MetadataCatalog,
  seen: Set<string>,
): SamlServiceProvider[] {
  const defaults = root.child('defaults').allowKeys('postAuthenticationFlows');
  const defaultFlows = defaults.strings('postAuthenticationFlows');
  const build = (sp: ConfNode) => samlServiceProvider(sp, confDir, seen, defaultFlows, catalog);
  const listed = root.list('samlServiceProviders').map(build);
  const unlisted = unlistedSpEntries(catalog, new Set(listed.map((sp) => sp.id)));
  return [...listed, ...unlisted.map((sp) => ({ ...build(sp), unlisted: true }))];
}

function samlServiceProvider(
  sp: ConfNode,
  confDir: string,
  seen: Set<string>,
  defaultFlows: string[],
  catalog: MetadataCatalog,
): SamlServiceProvider {
  sp.allowKeys(
    'entityID',
    'displayName',
    'assertionConsumerServiceURL',
    'metadataFile',
    'signingCertificate',
    'wantAuthnRequestsSigned',
    'allowSha1Signatures',
    'signAssertions',
    'signResponses',
    'nameIDFormat',
    'postAuthenticationFlows',
    'impersonation',
    ...ENCRYPTION_KEYS,
    ...LOGOUT_KEYS,
  );
  const { id, metadata, ...registration } = spRegistration(sp, confDir, seen, catalog);
  const certFile = sp.optionalString('signingCertificate');
  const signingCertificate = certFile
    ? readPem(sp, 'signingCertificate', path.resolve(confDir, certFile))
    : undefined;
  const { declared, ...keys } = requestSigning(sp, signingCertificate, metadata);
  return {
    kind: 'saml' as const,
    id,
    displayName: sp.string('displayName', id),
    ...registration,
    signingCertificate,
    ...keys,
    signAssertions: sp.boolean('signAssertions', true),
    signResponses: sp.boolean('signResponses', true),
    nameIDFormats: nameIdFormats(sp),
    ...assertionEncryption(sp, confDir, metadata?.encryptionCertificates ?? []),
    ...flowsAndImpersonation(sp, defaultFlows, declared),
    ...singleLogout(sp, registration.singleLogoutServices),
    declaredAt: sp.conf.where(sp.at),
  };
}

function oidcClient(
  c: ConfNode,
  confDir: string,
  seen: Set<string>,
  defaultFlows: string[],
): OidcClient {
  c.allowKeys(
    'clientId',
    'clientSecret',
    'displayName',
    'redirectUris',
    'postLogoutRedirectUris',
    'scopes',
    'refreshTokens',
    'tokenEndpointAuthMethod',
    'postAuthenticationFlows',
    'impersonation',
    'metadataFile',
  );
  const id = c.string('clientId');
  if (seen.has(id))
    c.fail('duplicate relying party (client ids and entity IDs share one namespace)', 'clientId');
  seen.add(id);
  const redirectUris = c.strings('redirectUris');
  if (redirectUris.length === 0) c.fail('must list at least one redirect URI', 'redirectUris');
  for (const uri of redirectUris) checkUrl(c, 'redirectUris', uri);
  const postLogoutRedirectUris = c.strings('postLogoutRedirectUris', []);
  for (const uri of postLogoutRedirectUris) checkUrl(c, 'postLogoutRedirectUris', uri);
  return {
    kind: 'oidc' as const,
    id,
    clientSecret: clientSecret(c),
    displayName: c.string('displayName', id),
    redirectUris,
    postLogoutRedirectUris,
    scopes: [
      ...new Set([...OIDC_SCOPES_ALWAYS, ...c.strings('scopes', ['openid', 'profile', 'email'])]),
    ],
    refreshTokens: c.boolean('refreshTokens', false),
    tokenEndpointAuthMethod: tokenEndpointAuthMethod(c),
    ...flowsAndImpersonation(c, defaultFlows, clientMetadataLevel(c, id, confDir)),
    declaredAt: c.conf.where(c.at),
  };
}

function flowsAndImpersonation(
  node: ConfNode,
  defaultFlows: string[],
  declared: ImpersonationLevel | undefined,
) {
  const flows = postAuthenticationFlows(node, defaultFlows);
  return {
    postAuthenticationFlows: flows,
    impersonation: impersonationSettings(node, flows, declared),
  };
}

/** The relying party's own postAuthenticationFlows, or those of `defaults`; blanks dropped. */
function postAuthenticationFlows(node: ConfNode, defaultFlows: string[]): string[] {
  return (
    node.has('postAuthenticationFlows') ? node.strings('postAuthenticationFlows') : defaultFlows
  )
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

/**
 * resourceServers[]: protected resources that authenticate like clients but may only introspect
 * the access tokens of the clients they list. Their ids share the relying parties' namespace
 * (the attribute filter names them as requesters).
 */
export function loadResourceServers(
  root: ConfNode,
  relyingParties: readonly RelyingParty[],
): ResourceServer[] {
  const taken = new Set(relyingParties.map((rp) => rp.id));
  const clients = new Set(relyingParties.filter((rp) => rp.kind === 'oidc').map((rp) => rp.id));
  return root.list('resourceServers').map((r: ConfNode): ResourceServer => {
    r.allowKeys(
      'clientId',
      'clientSecret',
      'displayName',
      'tokenEndpointAuthMethod',
      'introspectTokensOf',
    );
    const id = r.string('clientId');
    if (taken.has(id))
      r.fail(
        'duplicate id (resource servers, client ids and entity IDs share one namespace)',
        'clientId',
      );
    taken.add(id);
    const introspectTokensOf = r.strings('introspectTokensOf');
    if (introspectTokensOf.length === 0)
      r.fail('must list at least one OpenID Connect client id', 'introspectTokensOf');
    introspectTokensOf.forEach((clientId, i) => {
      if (!clients.has(clientId))
        r.child('introspectTokensOf').fail(`${clientId} is no client in oidcClients`, i);
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

function checkUrl(node: ConfNode, key: string, value: string): void {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      node.fail('must be an http(s) URL', key);
  } catch {
    node.fail('must be an absolute URL', key);
  }
}
