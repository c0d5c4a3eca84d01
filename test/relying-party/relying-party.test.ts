/**
 * The relying-party registry: lookup by id and by kind (a SAML entity ID is never taken for an
 * OIDC client id, nor the reverse), the OIDC clients, and which resource server may introspect
 * whose access tokens. Then the registry of the shipped conf/relying-party.yaml.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import {
  RelyingPartyRegistry,
  type OidcClient,
  type ResourceServer,
  type SamlServiceProvider,
} from '../../src/relying-party/relying-party.js';

function saml(id: string): SamlServiceProvider {
  return {
    kind: 'saml',
    id,
    displayName: id,
    postAuthenticationFlows: ['impersonate'],
    declaredAt: 'conf/relying-party.yaml:1',
    impersonation: {},
    assertionConsumerServiceURL: `${id}/acs`,
    assertionConsumerServices: [
      {
        location: `${id}/acs`,
        binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
        index: 0,
        isDefault: true,
      },
    ],
    singleLogoutServices: [],
    wantLogoutMessagesSigned: true,
    metadataNameIdFormats: [],
    signingCertificates: [],
    wantAuthnRequestsSigned: false,
    allowSha1Signatures: false,
    signAssertions: true,
    signResponses: false,
    nameIDFormats: ['unspecified'],
    encryptionCertificates: [],
    encryptAssertions: false,
  };
}

function oidc(id: string): OidcClient {
  return {
    kind: 'oidc',
    id,
    displayName: id,
    postAuthenticationFlows: [],
    declaredAt: 'conf/relying-party.yaml:9',
    impersonation: {},
    clientSecret: 'secret',
    redirectUris: [`https://${id}.example.org/callback`],
    postLogoutRedirectUris: [],
    scopes: ['openid'],
    refreshTokens: false,
    tokenEndpointAuthMethod: 'client_secret_basic',
  };
}

function rs(id: string, introspectTokensOf: string[]): ResourceServer {
  return {
    id,
    clientSecret: 's',
    displayName: id,
    tokenEndpointAuthMethod: 'client_secret_basic',
    introspectTokensOf,
    declaredAt: 'conf/relying-party.yaml:20',
  };
}

const SP = 'https://sp.example.org/shibboleth';

describe('RelyingPartyRegistry', () => {
  const sp = saml(SP);
  const portal = oidc('portal');
  const wiki = oidc('wiki');
  const registry = new RelyingPartyRegistry(
    [sp, portal, wiki],
    [rs('api', ['portal']), rs('reports', ['portal', 'wiki'])],
  );

  it('finds a relying party by id, of either kind', () => {
    expect(registry.get(SP)).toBe(sp);
    expect(registry.get('portal')).toBe(portal);
    expect(registry.get('nobody')).toBeUndefined();
  });

  it('finds a SAML SP only as a SAML SP and an OIDC client only as an OIDC client', () => {
    expect(registry.saml(SP)).toBe(sp);
    expect(registry.oidc(SP)).toBeUndefined();
    expect(registry.oidc('portal')).toBe(portal);
    expect(registry.saml('portal')).toBeUndefined();
  });

  it('does not take a resource server for a relying party', () => {
    expect(registry.get('api')).toBeUndefined();
    expect(registry.oidc('api')).toBeUndefined();
  });

  it('lists the OIDC clients in configuration order', () => {
    expect(registry.oidcClients).toEqual([portal, wiki]);
    expect(registry.all).toEqual([sp, portal, wiki]);
  });

  it('lets a resource server introspect the tokens of the clients listed for it, and no others', () => {
    expect(registry.mayIntrospectTokensOf('api', 'portal')).toBe(true);
    expect(registry.mayIntrospectTokensOf('api', 'wiki')).toBe(false);
    expect(registry.mayIntrospectTokensOf('reports', 'portal')).toBe(true);
    expect(registry.mayIntrospectTokensOf('reports', 'wiki')).toBe(true);
  });

  it("gives no client the right to introspect another client's tokens, nor its own through this check", () => {
    expect(registry.mayIntrospectTokensOf('wiki', 'portal')).toBe(false);
    expect(registry.mayIntrospectTokensOf('portal', 'portal')).toBe(false);
    expect(registry.mayIntrospectTokensOf('api', 'nobody')).toBe(false);
  });

  it('has no resource servers unless given', () => {
    const plain = new RelyingPartyRegistry([portal]);
    expect(plain.resourceServers).toEqual([]);
    expect(plain.mayIntrospectTokensOf('api', 'portal')).toBe(false);
  });
});

describe('the registry of the shipped relying-party.yaml', () => {
  const config = loadConfiguration({
    home: mkdtempSync(path.join(tmpdir(), 'rp-')),
    confDir: DEFAULT_CONF_DIR,
    env: {},
    overrides: { 'demo.sp.baseURL': 'https://sp.example.net' },
  });
  const registry = new RelyingPartyRegistry(config.relyingParties, config.resourceServers);
  const demo = config.properties.demo;

  it('has the demo SP, with its ACS built from demo.sp.baseURL and the impersonate intercept', () => {
    const sp = registry.saml(demo.sp.entityID);
    expect(sp?.assertionConsumerServiceURL).toBe('https://sp.example.net/saml/acs');
    expect(sp?.postAuthenticationFlows).toEqual(['impersonate']);
    expect(sp?.declaredAt).toMatch(/relying-party\.yaml:\d+$/);
  });

  it('has the demo OIDC client as its one client, with the impersonate intercept', () => {
    expect(registry.oidcClients.map((c) => c.id)).toEqual([demo.oidc.clientId]);
    expect(registry.oidc(demo.oidc.clientId)?.redirectUris).toEqual([
      `${demo.oidc.baseURL}/callback`,
    ]);
    expect(registry.oidc(demo.oidc.clientId)?.postAuthenticationFlows).toEqual(['impersonate']);
  });

  it('has no resource servers', () => {
    expect(registry.resourceServers).toEqual([]);
    expect(registry.mayIntrospectTokensOf('demo-api', demo.oidc.clientId)).toBe(false);
  });
});
