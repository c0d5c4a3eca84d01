/**
 * What the IdP takes from a service provider's SAML metadata file: its entityID; the certificates
 * its AuthnRequests may be signed with (KeyDescriptors of the SPSSODescriptor with use="signing" or
 * no use) and those to encrypt for (use="encryption" or no use); whether it says it signs its
 * requests; its endpoints (sp-metadata-endpoints.ts) and NameIDFormats; and the highest
 * impersonation level it admits for itself — an entity attribute (MDAttr) named MAX_IMPERSONATION_LEVEL_ATTRIBUTE in the
 * EntityDescriptor's Extensions, one value: identify, impersonate or delegate. The document is an
 * SP's metadataFile, or one entity of a metadata provider (metadata/metadata-entities.ts); a
 * problem is reported with the configuration key, or the provider's file, by the caller.
 */
import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import type { AcsEndpoint, SloEndpoint } from './saml-endpoints.js';
import {
  assertionConsumerServices,
  nameIdFormats,
  singleLogoutServices,
} from './sp-metadata-endpoints.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const MDATTR = 'urn:oasis:names:tc:SAML:metadata:attribute';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
/** The entity attribute an SP declares its impersonation cap with (docs/configuration.md). */
export const MAX_IMPERSONATION_LEVEL_ATTRIBUTE = 'urn:x-idp-impersonate:max-impersonation-level';

export interface SpMetadataKeys {
  /** The EntityDescriptor's entityID (checked to be the configured one, when one is configured). */
  readonly entityID: string;
  readonly signingCertificates: string[];
  /** Certificates of KeyDescriptors with use="encryption" or no use, as PEM. */
  readonly encryptionCertificates: string[];
  readonly authnRequestsSigned: boolean;
  /** Every AssertionConsumerService, whatever its binding, in document order. */
  readonly assertionConsumerServices: AcsEndpoint[];
  readonly singleLogoutServices: SloEndpoint[];
  /** The NameIDFormat elements, in order (informational: what the SP says it takes). */
  readonly nameIdFormats: string[];
  /** The value of the SP's MAX_IMPERSONATION_LEVEL_ATTRIBUTE entity attribute, unchecked. */
  readonly maxImpersonationLevel?: string;
}

/** The metadata document `xml`; `entityID`, when given, must be the one it describes. */
export function spMetadataKeys(xml: string, entityID?: string): SpMetadataKeys {
  return spEntityDescriptorKeys(parseMetadataXml(xml), entityID);
}

/** The document element of a metadata document (no DTD; any well-formedness error refuses it). */
export function parseMetadataXml(xml: string): Element {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('contains a DTD');
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (m) => errors.push(String(m)),
      fatalError: (m) => errors.push(String(m)),
    },
  }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (errors.length > 0 || !root)
    throw new Error(`is not well-formed XML${errors[0] ? ` (${errors[0]})` : ''}`);
  return root;
}

/** The same from an EntityDescriptor element already parsed (one entity of an aggregate, say). */
export function spEntityDescriptorKeys(root: Element, entityID?: string): SpMetadataKeys {
  if (root.namespaceURI !== MD || root.localName !== 'EntityDescriptor')
    throw new Error('is not a SAML 2.0 EntityDescriptor');
  const described = root.getAttribute('entityID')?.trim();
  if (!described) throw new Error('has no entityID');
  if (entityID !== undefined && described !== entityID) {
    throw new Error(`describes ${JSON.stringify(described)}, not ${JSON.stringify(entityID)}`);
  }
  const descriptor = children(root, MD, 'SPSSODescriptor')[0];
  if (!descriptor) throw new Error('has no SPSSODescriptor');
  const signed = descriptor.getAttribute('AuthnRequestsSigned');
  return {
    entityID: described,
    signingCertificates: certificates(descriptor, 'signing'),
    encryptionCertificates: certificates(descriptor, 'encryption'),
    authnRequestsSigned: signed === 'true' || signed === '1',
    assertionConsumerServices: assertionConsumerServices(descriptor),
    singleLogoutServices: singleLogoutServices(descriptor),
    nameIdFormats: nameIdFormats(descriptor),
    maxImpersonationLevel: entityAttribute(root, MAX_IMPERSONATION_LEVEL_ATTRIBUTE),
  };
}

/** The certificates of the descriptor's KeyDescriptors for `use`, or with no use (both), as PEM. */
function certificates(descriptor: Element, use: 'signing' | 'encryption'): string[] {
  return children(descriptor, MD, 'KeyDescriptor')
    .filter((kd) => !kd.getAttribute('use') || kd.getAttribute('use') === use)
    .flatMap((kd) => Array.from(kd.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((el) => toPem(el.textContent ?? ''));
}

/**
 * The one value of an entity attribute (undefined when the metadata does not have it); two values,
 * two attributes of the name, or an attribute without a value are refused.
 */
function entityAttribute(root: Element, name: string): string | undefined {
  const attributes = children(root, MD, 'Extensions')
    .flatMap((ext) => children(ext, MDATTR, 'EntityAttributes'))
    .flatMap((ea) => children(ea, SAML, 'Attribute'))
    .filter((a) => a.getAttribute('Name') === name);
  if (attributes.length === 0) return undefined;
  const values = attributes
    .flatMap((a) => children(a, SAML, 'AttributeValue'))
    .map((v) => (v.textContent ?? '').trim());
  if (values.length !== 1)
    throw new Error(
      `gives entity attribute ${name} ${values.length === 0 ? 'no value' : 'more than one value'}`,
    );
  return values[0];
}

/** A certificate from base64 DER (metadata) or PEM (a file), checked to be one, as PEM. */
export function toPem(text: string): string {
  const body = text.includes('-----BEGIN CERTIFICATE-----')
    ? text
    : `-----BEGIN CERTIFICATE-----\n${text.replace(/\s+/g, '')}\n-----END CERTIFICATE-----\n`;
  try {
    return new X509Certificate(body).toString();
  } catch (err) {
    throw new Error(`holds a certificate that cannot be read (${(err as Error).message})`, {
      cause: err,
    });
  }
}

export function children(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    const el = n as Element;
    if (n.nodeType === 1 && el.namespaceURI === ns && el.localName === localName) out.push(el);
  }
  return out;
}
