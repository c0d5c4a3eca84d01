/**
 * The IdP as a SAML entity: its entity ID and its metadata (built once by samlify from the signing
 * certificate and the SSO endpoints). samlify only writes the metadata: inbound requests are
 * decoded and checked by authn-request.ts, responses are built and signed by saml-response.ts.
 */
import samlify from 'samlify';
import type { SigningCredential } from '../../credentials/signing-credential.js';
import { NAMEID_FORMATS } from '../../relying-party/relying-party.js';
import { BINDING, SSO_PATHS } from './saml-bindings.js';
import { samlifySchemaValidator } from './schema-validator.js';

// samlify refuses to work without a schema validator; it gets the IdP's own (compiled once).
samlify.setSchemaValidator(samlifySchemaValidator);

export class SamlEntities {
  private readonly metadataXml: string;

  constructor(
    readonly entityID: string,
    baseURL: string,
    credential: SigningCredential,
  ) {
    const idp = withoutSloWarning(() =>
      samlify.IdentityProvider({
        entityID,
        signingCert: credential.certificate,
        // Whether requests must be signed is decided per SP (relying-party.yaml), so not here.
        wantAuthnRequestsSigned: false,
        nameIDFormat: Object.values(NAMEID_FORMATS),
        singleSignOnService: [
          { Binding: BINDING.redirect, Location: `${baseURL}${SSO_PATHS.redirect}` },
          { Binding: BINDING.post, Location: `${baseURL}${SSO_PATHS.post}` },
        ],
      }),
    );
    this.metadataXml = idp.getMetadata();
  }

  metadata(): string {
    return this.metadataXml;
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
