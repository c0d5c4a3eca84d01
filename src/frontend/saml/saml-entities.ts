/**
 * samlify entities: the IdP (its metadata, its signing key) and one ServiceProvider per configured
 * SP. samlify decides whether to check AuthnRequest signatures from the IdP entity, so there are two
 * IdP entities — one that requires signed requests, one that does not — and each SP uses the one
 * its configuration asks for. SPs also come in an error variant that signs the whole Response,
 * since an error Response has no assertion to sign.
 */
import samlify from 'samlify';
import type { SigningCredential } from '../../credentials/signing-credential.js';
import type { SamlServiceProvider } from '../../relying-party/relying-party.js';
import { NAMEID_FORMATS } from '../../relying-party/relying-party.js';
import { BINDING, SSO_PATHS } from './saml-bindings.js';
import { samlifySchemaValidator } from './schema-validator.js';

type IdentityProvider = ReturnType<typeof samlify.IdentityProvider>;
type ServiceProvider = ReturnType<typeof samlify.ServiceProvider>;

// samlify refuses to work without a schema validator; it gets the IdP's own (compiled once).
samlify.setSchemaValidator(samlifySchemaValidator);

export interface SpEntities {
  readonly forResponse: ServiceProvider;
  readonly forError: ServiceProvider;
}

export class SamlEntities {
  private readonly idpSigned: IdentityProvider;
  private readonly idpUnsigned: IdentityProvider;
  private readonly sps = new Map<string, SpEntities>();

  constructor(
    readonly entityID: string,
    baseURL: string,
    credential: SigningCredential,
  ) {
    const settings = (wantAuthnRequestsSigned: boolean) => ({
      entityID,
      privateKey: credential.privateKey,
      signingCert: credential.certificate,
      wantAuthnRequestsSigned,
      nameIDFormat: Object.values(NAMEID_FORMATS),
      singleSignOnService: [
        { Binding: BINDING.redirect, Location: `${baseURL}${SSO_PATHS.redirect}` },
        { Binding: BINDING.post, Location: `${baseURL}${SSO_PATHS.post}` },
      ],
    });
    this.idpUnsigned = withoutSloWarning(() => samlify.IdentityProvider(settings(false)));
    this.idpSigned = withoutSloWarning(() => samlify.IdentityProvider(settings(true)));
  }

  /** The IdP's metadata; it does not say it wants signed requests, since that is per SP. */
  metadata(): string {
    return this.idpUnsigned.getMetadata();
  }

  idpFor(sp: SamlServiceProvider): IdentityProvider {
    return sp.wantAuthnRequestsSigned ? this.idpSigned : this.idpUnsigned;
  }

  spFor(sp: SamlServiceProvider): SpEntities {
    let entities = this.sps.get(sp.id);
    if (!entities) {
      const make = (wantAssertionsSigned: boolean, wantMessageSigned: boolean) =>
        samlify.ServiceProvider(
          sp.metadataXml
            ? { metadata: sp.metadataXml, wantAssertionsSigned, wantMessageSigned }
            : {
                entityID: sp.id,
                wantAssertionsSigned,
                wantMessageSigned,
                authnRequestsSigned: sp.wantAuthnRequestsSigned,
                signingCert: sp.signingCertificate,
                assertionConsumerService: [{ Binding: BINDING.post, Location: sp.assertionConsumerServiceURL }],
              },
        );
      entities = { forResponse: make(sp.signAssertions, sp.signResponses), forError: make(false, true) };
      this.sps.set(sp.id, entities);
    }
    return entities;
  }
}


/**
 * samlify warns on the console that the IdP has no SingleLogoutService; this IdP does not offer
 * single logout, so the warning says nothing an administrator can act on.
 */
function withoutSloWarning<T>(build: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('missing endpoint of SingleLogoutService')) warn(...args);
  };
  try {
    return build();
  } finally {
    console.warn = warn;
  }
}
