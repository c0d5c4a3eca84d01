/**
 * SAML metadata for the metadata-provider tests: an SP's EntityDescriptor, an aggregate
 * (EntitiesDescriptor) of them, and an aggregate signed the way a federation signs one — an
 * enveloped signature over the root by ID, made by xml-crypto, first child of the root.
 */
import { SignedXml } from 'xml-crypto';

export const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export interface SpEntityOptions {
  readonly acs: string;
  /** PEM certificate of a signing KeyDescriptor (none by default). */
  readonly signingCert?: string;
  readonly authnRequestsSigned?: boolean;
  readonly validUntil?: string;
}

/** The base64 DER body of a PEM certificate. */
function certBody(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

/** An SP's EntityDescriptor (md: prefix, declared by the aggregate or on itself when `standalone`). */
export function spEntity(entityID: string, o: SpEntityOptions, standalone = false): string {
  const key = o.signingCert
    ? `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody(o.signingCert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
    : '';
  return `<md:EntityDescriptor${standalone ? ` xmlns:md="${MD}"` : ''} entityID="${entityID}"${o.validUntil ? ` validUntil="${o.validUntil}"` : ''}>
  <md:SPSSODescriptor AuthnRequestsSigned="${o.authnRequestsSigned ?? false}" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${key}
    <md:AssertionConsumerService Binding="${POST}" Location="${o.acs}" index="1" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
}

/** An EntitiesDescriptor of `entities`, with the root ID `id`. */
export function aggregate(
  entities: readonly string[],
  o: { id?: string; validUntil?: string } = {},
) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntitiesDescriptor xmlns:md="${MD}" ID="${o.id ?? 'agg-1'}" Name="test-federation"${o.validUntil ? ` validUntil="${o.validUntil}"` : ''}>
${entities.join('\n')}
</md:EntitiesDescriptor>
`;
}

export interface AggregateSignOptions {
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  /** XPath of the signed element (default: the root). */
  readonly xpath?: string;
  /** Put this certificate into KeyInfo (it must never be what verifies). */
  readonly keyInfoCert?: string;
}

/** `xml` with an enveloped signature by `privateKey`, prepended to the root's children. */
export function signAggregate(
  xml: string,
  privateKey: string,
  o: AggregateSignOptions = {},
): string {
  const sig = new SignedXml({
    privateKey,
    publicCert: o.keyInfoCert,
    signatureAlgorithm: o.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: o.keyInfoCert
      ? (args) => SignedXml.getKeyInfoContent(args ?? {})
      : () => null,
  });
  sig.addReference({
    xpath: o.xpath ?? '/*',
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: o.digestAlgorithm ?? SHA256,
  });
  sig.computeSignature(xml, { location: { reference: '/*', action: 'prepend' } });
  return sig.getSignedXml();
}
