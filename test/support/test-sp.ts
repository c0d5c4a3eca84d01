/**
 * The SAML service provider of the integration tests: @node-saml/node-saml, configured from the
 * IdP's published metadata, playing the demo SP's role (entity ID and ACS from the shipped conf).
 * It builds real AuthnRequests and validates responses exactly as a deployed node-saml SP would.
 */
import { inflateRawSync } from 'node:zlib';
import {
  SAML,
  ValidateInResponseTo,
  type CacheItem,
  type CacheProvider,
  type Profile,
} from '@node-saml/node-saml';
import { fetchIdpMetadata } from '../../src/demo/idp-metadata.js';
import type { Browser, Page } from './browser.js';

class Cache implements CacheProvider {
  private readonly items = new Map<string, CacheItem>();
  saveAsync(key: string, value: string) {
    const item = { value, createdAt: Date.now() };
    this.items.set(key, item);
    return Promise.resolve(item);
  }
  getAsync(key: string) {
    return Promise.resolve(this.items.get(key)?.value ?? null);
  }
  removeAsync(key: string | null) {
    const v = key === null ? undefined : this.items.get(key);
    if (key !== null) this.items.delete(key);
    return Promise.resolve(v?.value ?? null);
  }
}

export interface TestSpOptions {
  readonly entityID?: string;
  readonly acsURL?: string;
  readonly forceAuthn?: boolean;
  readonly passive?: boolean;
  readonly privateKey?: string;
  /** Send AuthnRequests with the HTTP-POST binding instead of HTTP-Redirect. */
  readonly postBinding?: boolean;
  /** Signature algorithm of signed requests (query SigAlg, or the XML signature); default sha256. */
  readonly signatureAlgorithm?: 'sha1' | 'sha256' | 'sha512';
  /** Digest algorithm of XML-signed (POST) requests; default sha256 (node-saml's own default is sha1). */
  readonly digestAlgorithm?: 'sha1' | 'sha256' | 'sha512';
  /** Transforms of the XML signature of POST requests (node-saml's default: enveloped + exclusive C14N). */
  readonly xmlSignatureTransforms?: string[];
  /** The SP's private key (PEM) for encrypted assertions (node-saml's decryptionPvk). */
  readonly decryptionPvk?: string;
  /** The IdP certificates trusted (base64 DER); default: every signing certificate in the IdP's metadata. */
  readonly idpCert?: string | string[];
  /** NameIDPolicy Format of its AuthnRequests (default: none, the IdP's choice). */
  readonly identifierFormat?: string;
  /** NameIDPolicy AllowCreate (node-saml's default: true). */
  readonly allowCreate?: boolean;
  /** NameIDPolicy SPNameQualifier (default: none). */
  readonly spNameQualifier?: string;
  /** Send LogoutRequests to the IdP's HTTP-Redirect SLO endpoint (node-saml's logoutUrl). */
  readonly singleLogout?: boolean;
}

export class TestSp {
  private constructor(private readonly saml: SAML) {}

  static async create(idpBaseURL: string, options: TestSpOptions = {}): Promise<TestSp> {
    const md = await fetchIdpMetadata(`${idpBaseURL}/idp/shibboleth`);
    const entityID = options.entityID ?? 'https://sp.demo.example.org/shibboleth';
    return new TestSp(
      new SAML({
        issuer: entityID,
        callbackUrl: options.acsURL ?? 'http://127.0.0.1:9/saml/acs',
        entryPoint: md.ssoRedirectURL,
        idpIssuer: md.entityID,
        idpCert: options.idpCert ?? [...md.certificates],
        audience: entityID,
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: true,
        validateInResponseTo: ValidateInResponseTo.always,
        cacheProvider: new Cache(),
        disableRequestedAuthnContext: true,
        identifierFormat: options.identifierFormat ?? null,
        allowCreate: options.allowCreate,
        spNameQualifier: options.spNameQualifier,
        forceAuthn: options.forceAuthn ?? false,
        passive: options.passive ?? false,
        privateKey: options.privateKey,
        authnRequestBinding: options.postBinding ? 'HTTP-POST' : undefined,
        signatureAlgorithm: options.signatureAlgorithm ?? 'sha256',
        digestAlgorithm: options.digestAlgorithm ?? 'sha256',
        xmlSignatureTransforms: options.xmlSignatureTransforms,
        decryptionPvk: options.decryptionPvk,
        logoutUrl: options.singleLogout ? md.sloRedirectURL : undefined,
      }),
    );
  }

  /** Redirect-binding SSO URL carrying a fresh AuthnRequest. */
  loginURL(relayState = 'relay-123'): Promise<string> {
    return this.saml.getAuthorizeUrlAsync(relayState, undefined, {});
  }

  /** The fields of a POST-binding AuthnRequest (SAMLRequest, RelayState). */
  async loginForm(relayState = 'relay-123'): Promise<Record<string, string>> {
    return (await this.saml.getAuthorizeMessageAsync(relayState)) as Record<string, string>;
  }

  /** The XML of a fresh POST-binding AuthnRequest (signed when the SP has a private key). */
  async loginXml(): Promise<string> {
    const { SAMLRequest } = await this.loginForm();
    return inflateRawSync(Buffer.from(SAMLRequest!, 'base64')).toString('utf8');
  }

  /** A Redirect-binding LogoutRequest for the session of `profile` (signed when the SP has a key). */
  logoutURL(profile: Profile, relayState = 'logout-relay'): Promise<string> {
    return this.saml.getLogoutUrlAsync(profile, relayState, {});
  }

  /** A Redirect-binding LogoutResponse answering the IdP's LogoutRequest `request`. */
  logoutResponseURL(request: Profile, success = true): Promise<string> {
    return this.saml.getLogoutResponseUrlAsync(request, '', {}, success);
  }

  /** node-saml's verdict on a Redirect-binding logout message the IdP sent (a URL to the SP). */
  receiveRedirect(url: string): Promise<{ profile: Profile | null; loggedOut: boolean }> {
    const u = new URL(url);
    return this.saml.validateRedirectAsync(Object.fromEntries(u.searchParams), u.search.slice(1));
  }

  /** node-saml's verdict on a POST-binding LogoutRequest the IdP sent (the form's fields). */
  receivePostRequest(fields: Record<string, string>): Promise<{ profile: Profile }> {
    return this.saml.validatePostRequestAsync(fields);
  }

  /** Validates the SAMLResponse in an IdP post page the way the SP's ACS would. */
  async receive(page: Page): Promise<Profile> {
    const { profile } = await this.validate(page);
    if (!profile) throw new Error('no profile in SAML response');
    return profile;
  }

  /** node-saml's own verdict; profile is null for a passive request answered NoPassive. */
  validate(page: Page): Promise<{ profile: Profile | null }> {
    return this.saml.validatePostResponseAsync(responseFields(page));
  }
}

/** The SAMLResponse form of an IdP post page, or undefined when the page carries none. */
export function responseFields(page: Page): Record<string, string> {
  const input = page.html.querySelector('input[name=SAMLResponse]');
  if (!input)
    throw new Error(`no SAMLResponse in page (status ${page.status}): ${page.body.slice(0, 1500)}`);
  const relay = page.html.querySelector('input[name=RelayState]');
  return {
    SAMLResponse: input.getAttribute('value') ?? '',
    ...(relay ? { RelayState: relay.getAttribute('value') ?? '' } : {}),
  };
}

/** The SAML Response XML in an IdP post page. */
export function responseXml(page: Page): string {
  return Buffer.from(responseFields(page).SAMLResponse!, 'base64').toString('utf8');
}

export function hasSamlResponse(page: Page): boolean {
  return page.html.querySelector('input[name=SAMLResponse]') !== null;
}

/** Attribute values by friendly-name-less SAML name. */
export function attribute(profile: Profile, name: string): string[] {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const v = attributes[name] ?? (profile as Record<string, unknown>)[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export const OID = {
  uid: 'urn:oid:0.9.2342.19200300.100.1.1',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
  eppn: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
  entitlement: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
} as const;

/** A fresh SSO from `sp` in `browser`, signed in at the login form as a demo account (password demo-<user>). */
export async function signInThrough(sp: TestSp, browser: Browser, user: string): Promise<Page> {
  const page = await browser.get(await sp.loginURL());
  return browser.submit(page, { j_username: user, j_password: `demo-${user}` }, '_eventId_proceed');
}
