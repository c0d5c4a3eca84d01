/**
 * The IdP as a SAML entity: its entity ID and the metadata served at /idp/shibboleth, built by the
 * IdP itself (metadata/idp-metadata.ts) from the signing certificates (current and next), the SSO
 * and single logout endpoints, idp.scope and the idp.metadata.* properties.
 *
 * validUntil is a time from now, so the document is rebuilt as it is served — at most once a
 * minute: signing costs an RSA operation, and a minute is nothing against a validity of days.
 */
import type { MetadataProperties } from '../../config/metadata-properties.js';
import type {
  NextSigningCertificate,
  SigningCredential,
} from '../../credentials/signing-credential.js';
import { NAMEID_FORMATS } from '../../relying-party/relying-party.js';
import { idpMetadataTree, type MetadataEndpoint } from './metadata/idp-metadata.js';
import { BINDING, SLO_PATHS, SSO_PATHS } from './saml-bindings.js';
import { signEnveloped } from './xml/enveloped-signature.js';
import { serialize } from './xml/xml-tree.js';

const REBUILD_AFTER_MS = 60_000;

export interface SamlEntitiesOptions {
  /** idp.scope, published as shibmd:Scope. */
  readonly scope: string;
  readonly metadata: MetadataProperties;
  /** NameID formats to advertise; default: every format the IdP can issue. */
  readonly nameIdFormats?: readonly string[];
  readonly singleLogoutServices?: readonly MetadataEndpoint[];
  /** The clock (tests). */
  readonly now?: () => number;
}

export class SamlEntities {
  private cached?: { readonly at: number; readonly xml: Promise<string> };

  constructor(
    readonly entityID: string,
    private readonly baseURL: string,
    private readonly credential: SigningCredential & { readonly next?: NextSigningCertificate },
    private readonly options: SamlEntitiesOptions,
  ) {}

  /** The metadata document as served now (rebuilt, and re-signed, when a minute old). */
  metadata(): Promise<string> {
    const now = this.options.now?.() ?? Date.now();
    if (!this.cached || now - this.cached.at >= REBUILD_AFTER_MS) {
      const xml = this.build(now);
      this.cached = { at: now, xml };
      // A failed build is not kept: the next request tries again.
      xml.catch(() => {
        if (this.cached?.xml === xml) this.cached = undefined;
      });
    }
    return this.cached.xml;
  }

  private async build(now: number): Promise<string> {
    const { metadata, scope } = this.options;
    const tree = idpMetadataTree(
      {
        entityID: this.entityID,
        singleSignOnServices: [
          { binding: BINDING.redirect, location: `${this.baseURL}${SSO_PATHS.redirect}` },
          { binding: BINDING.post, location: `${this.baseURL}${SSO_PATHS.post}` },
        ],
        singleLogoutServices: this.options.singleLogoutServices ?? [
          { binding: BINDING.redirect, location: `${this.baseURL}${SLO_PATHS.redirect}` },
          { binding: BINDING.post, location: `${this.baseURL}${SLO_PATHS.post}` },
        ],
        nameIdFormats: this.options.nameIdFormats ?? Object.values(NAMEID_FORMATS),
        signingCertificates: [
          this.credential.xml.certificateBase64,
          ...(this.credential.next ? [this.credential.next.certificateBase64] : []),
        ],
        scope,
        validityMs: metadata.validityMs,
        cacheDurationMs: metadata.cacheDurationMs,
        organization: metadata.organization,
        contacts: metadata.contacts,
      },
      new Date(now),
    );
    if (metadata.sign) await signEnveloped(tree, tree, this.credential.xml);
    return serialize(tree);
  }
}
