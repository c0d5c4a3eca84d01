/**
 * The IdP's own SAML metadata (the EntityDescriptor served at /idp/shibboleth) as an element tree
 * (xml-tree.ts), so the same tree can be sent as is or signed by enveloped-signature.ts. Element
 * order follows saml-schema-metadata-2.0 (RoleDescriptor: Extensions, KeyDescriptor; SSODescriptor:
 * SingleLogoutService, NameIDFormat; then SingleSignOnService; after the role, Organization and
 * ContactPerson).
 */
import { randomBytes } from 'node:crypto';
import type { MetadataContact, MetadataOrganization } from '../../../config/metadata-properties.js';
import { el, type XmlElement } from '../xml/xml-tree.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SHIBMD = 'urn:mace:shibboleth:metadata:1.0';
const REMD = 'http://refeds.org/metadata';
const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const REFEDS_SECURITY = 'http://refeds.org/metadata/contactType/security';

export interface MetadataEndpoint {
  readonly binding: string;
  readonly location: string;
}

/** Everything the IdP publishes about itself; the builder adds only the times and an ID. */
export interface IdpMetadataInput {
  readonly entityID: string;
  readonly singleSignOnServices: readonly MetadataEndpoint[];
  /** Single logout endpoints (the IdP's SLO endpoints: saml-entities.ts). */
  readonly singleLogoutServices?: readonly MetadataEndpoint[];
  /** NameID format URIs the IdP can issue to its SPs. */
  readonly nameIdFormats: readonly string[];
  /**
   * Signing certificates, base64 DER: the current one first, then the next of a rollover. Every one
   * is published; only the current one signs (the one SPs must already trust).
   */
  readonly signingCertificates: readonly string[];
  /** idp.scope: the shibmd:Scope an SP checks scoped attributes (eduPersonPrincipalName) against. */
  readonly scope: string;
  readonly validityMs: number;
  readonly cacheDurationMs: number;
  readonly organization?: MetadataOrganization;
  readonly contacts?: readonly MetadataContact[];
}

/** The EntityDescriptor as of `now` (validUntil = now + validity), with a fresh ID to sign by. */
export function idpMetadataTree(input: IdpMetadataInput, now: Date = new Date()): XmlElement {
  const contacts = input.contacts ?? [];
  const namespaces: Record<string, string> = { md: MD, ds: DS, shibmd: SHIBMD };
  if (contacts.some((c) => c.type === 'security')) namespaces.remd = REMD;
  return el(
    'md:EntityDescriptor',
    {
      ID: `_${randomBytes(20).toString('hex')}`,
      entityID: input.entityID,
      validUntil: xsDateTime(new Date(now.getTime() + input.validityMs)),
      cacheDuration: xsDuration(input.cacheDurationMs),
    },
    [
      idpSsoDescriptor(input),
      input.organization && organization(input.organization),
      ...contacts.map(contactPerson),
    ],
    namespaces,
  );
}

function idpSsoDescriptor(input: IdpMetadataInput): XmlElement {
  return el('md:IDPSSODescriptor', { protocolSupportEnumeration: SAML2_PROTOCOL }, [
    el('md:Extensions', {}, [el('shibmd:Scope', { regexp: 'false' }, [input.scope])]),
    ...input.signingCertificates.map((cert) =>
      el('md:KeyDescriptor', { use: 'signing' }, [
        el('ds:KeyInfo', {}, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, [cert])])]),
      ]),
    ),
    ...(input.singleLogoutServices ?? []).map((e) => endpoint('md:SingleLogoutService', e)),
    ...input.nameIdFormats.map((f) => el('md:NameIDFormat', {}, [f])),
    ...input.singleSignOnServices.map((e) => endpoint('md:SingleSignOnService', e)),
  ]);
}

function endpoint(name: string, e: MetadataEndpoint): XmlElement {
  return el(name, { Binding: e.binding, Location: e.location });
}

function organization(o: MetadataOrganization): XmlElement {
  const lang = { 'xml:lang': 'en' };
  return el('md:Organization', {}, [
    el('md:OrganizationName', lang, [o.name]),
    el('md:OrganizationDisplayName', lang, [o.displayName]),
    el('md:OrganizationURL', lang, [o.url]),
  ]);
}

/** A security contact is contactType="other" refined by REFEDS' remd:contactType. */
function contactPerson(c: MetadataContact): XmlElement {
  const attributes =
    c.type === 'security'
      ? { contactType: 'other', 'remd:contactType': REFEDS_SECURITY }
      : { contactType: c.type };
  return el('md:ContactPerson', attributes, [el('md:EmailAddress', {}, [c.email])]);
}

/** xs:dateTime in UTC, whole seconds (what metadata consumers parse without surprises). */
function xsDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** xs:duration in whole seconds (PT3600S): valid for every consumer, exact for any property value. */
function xsDuration(ms: number): string {
  return `PT${Math.max(1, Math.round(ms / 1000))}S`;
}
