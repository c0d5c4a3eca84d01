/**
 * Relying parties the IdP answers (Shibboleth's relying-party.xml plus metadata): SAML service
 * providers and OpenID Connect clients. Each carries its ordered postAuthenticationFlows —
 * intercept ids without the "intercept/" prefix, as Shibboleth writes them.
 */
import type { RelyingPartyImpersonation } from './rp-impersonation.js';
import type { AcsEndpoint, SloEndpoint } from './saml-endpoints.js';

interface RelyingPartyBase {
  readonly id: string;
  readonly displayName: string;
  readonly postAuthenticationFlows: readonly string[];
  /** Where it was configured, for error messages ("conf/relying-party.yaml:12"). */
  readonly declaredAt: string;
  /** Its `impersonation:` block (defaults: the idp.impersonate.* properties). */
  readonly impersonation: RelyingPartyImpersonation;
}

export const NAMEID_FORMATS = {
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
} as const;
export type NameIdFormat = keyof typeof NAMEID_FORMATS;

export interface SamlServiceProvider extends RelyingPartyBase {
  readonly kind: 'saml';
  /** The Location of the default ACS (defaultAcs of assertionConsumerServices): an HTTP-POST one. */
  readonly assertionConsumerServiceURL: string;
  /**
   * Where responses may go: the YAML assertionConsumerServiceURL (HTTP-POST, index 0, the default)
   * when given, else every AssertionConsumerService of the metadata. See acs-selection.ts.
   */
  readonly assertionConsumerServices: readonly AcsEndpoint[];
  /** Where it takes logout messages: singleLogoutServiceURL, else its metadata's SingleLogoutServices. */
  readonly singleLogoutServices: readonly SloEndpoint[];
  /** Refuse its unsigned LogoutRequests/LogoutResponses (relying-party.yaml; default true). */
  readonly wantLogoutMessagesSigned: boolean;
  /** The NameIDFormats the SP's metadata lists, in order (informational). */
  readonly metadataNameIdFormats: readonly string[];
  /** PEM certificate the SP signs AuthnRequests with, if it signs them. */
  readonly signingCertificate?: string;
  /** SAML metadata XML of the SP, when configured from a metadata file or provider. */
  readonly metadataXml?: string;
  /** The metadata provider (metadataProviders id) its metadata came from, if one did. */
  readonly metadataProvider?: string;
  /** Served because its provider has serveUnlisted, not because samlServiceProviders lists it. */
  readonly unlisted?: boolean;
  /**
   * Every certificate (PEM) an AuthnRequest signature of this SP may be verified with: its
   * signingCertificate and the signing certificates of its metadata. Never a key from the message.
   */
  readonly signingCertificates: readonly string[];
  readonly wantAuthnRequestsSigned: boolean;
  /** Accept RSA-SHA1 / SHA-1 digests on this SP's AuthnRequests (refused unless set; logged). */
  readonly allowSha1Signatures: boolean;
  readonly signAssertions: boolean;
  readonly signResponses: boolean;
  /**
   * PEM certificates (RSA) assertions may be encrypted to: encryptionCertificate, then the
   * metadata's encryption (or unmarked) KeyDescriptors. The first is used.
   */
  readonly encryptionCertificates: readonly string[];
  /** Encrypt assertions to encryptionCertificates[0] (default: whenever there is a certificate). */
  readonly encryptAssertions: boolean;
  /** The NameID formats it may receive, most preferred first (Shibboleth's nameIDFormatPrecedence). */
  readonly nameIDFormats: readonly NameIdFormat[];
}

export interface OidcClient extends RelyingPartyBase {
  readonly kind: 'oidc';
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  /** Where it may send the browser after an RP-initiated logout (post_logout_redirect_uri). */
  readonly postLogoutRedirectUris: readonly string[];
  /** Scopes the client may be granted besides openid. */
  readonly scopes: readonly string[];
  /** Whether the client may use refresh tokens (with the offline_access scope). */
  readonly refreshTokens: boolean;
  readonly tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

export type RelyingParty = SamlServiceProvider | OidcClient;

/**
 * A resource server (RFC 7662's protected resource): authenticates at the OpenID Provider like a
 * client, but may only introspect the access tokens of the clients listed for it — no browser
 * ever signs in to it, so it has no redirect URIs, grants or intercepts.
 */
export interface ResourceServer {
  readonly id: string;
  readonly clientSecret: string;
  readonly displayName: string;
  readonly tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** Client ids whose access tokens it may introspect. */
  readonly introspectTokensOf: readonly string[];
  readonly declaredAt: string;
}

export class RelyingPartyRegistry {
  private current: readonly RelyingParty[];
  private byId: ReadonlyMap<string, RelyingParty>;
  /** Client id → the resource servers that may introspect its access tokens. */
  private readonly introspectors: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(
    all: readonly RelyingParty[],
    readonly resourceServers: readonly ResourceServer[] = [],
  ) {
    this.current = all;
    this.byId = new Map(all.map((rp) => [rp.id, rp]));
    const introspectors = new Map<string, Set<string>>();
    for (const rs of resourceServers) {
      for (const clientId of rs.introspectTokensOf) {
        const set = introspectors.get(clientId) ?? new Set<string>();
        introspectors.set(clientId, set.add(rs.id));
      }
    }
    this.introspectors = introspectors;
  }

  /** Every relying party: the SAML SPs (as last replaced), then the OIDC clients. */
  get all(): readonly RelyingParty[] {
    return this.current;
  }

  /**
   * Every SAML SP replaced by `saml` at once (a metadata refresh); the OIDC clients stay. A
   * request already under way keeps the SP object it looked up.
   */
  replaceSaml(saml: readonly SamlServiceProvider[]): void {
    const all = [...saml, ...this.current.filter((rp) => rp.kind !== 'saml')];
    const byId = new Map(all.map((rp) => [rp.id, rp]));
    if (byId.size !== all.length) throw new Error('two relying parties share an id');
    this.current = all;
    this.byId = byId;
  }

  /** Whether a resource server was given the right to introspect this client's access tokens. */
  mayIntrospectTokensOf(callerId: string, clientId: string): boolean {
    return this.introspectors.get(clientId)?.has(callerId) ?? false;
  }

  get(id: string): RelyingParty | undefined {
    return this.byId.get(id);
  }

  saml(id: string): SamlServiceProvider | undefined {
    const rp = this.byId.get(id);
    return rp?.kind === 'saml' ? rp : undefined;
  }

  oidc(id: string): OidcClient | undefined {
    const rp = this.byId.get(id);
    return rp?.kind === 'oidc' ? rp : undefined;
  }

  get oidcClients(): OidcClient[] {
    return this.all.filter((rp): rp is OidcClient => rp.kind === 'oidc');
  }
}
