/**
 * The SAML Response XML. samlify signs (and could encrypt) it; the document is built here because
 * samlify's template knows only single-valued attributes. Values are escaped by samlify's
 * replaceTagsByValue for the scalar tags and by xmlEscape here for the statements, which are
 * spliced in last so that no attribute value can be read as a template tag.
 */
import { randomBytes } from 'node:crypto';
import samlify from 'samlify';
import type { AttributeDefinition } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../attribute/attribute-values.js';
import { STATUS } from './saml-bindings.js';

const NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';
const VALIDITY_MS = 5 * 60_000;

export function samlId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

export interface AssertionContent {
  readonly responseId: string;
  readonly assertionId: string;
  readonly issuer: string;
  readonly destination: string;
  readonly audience: string;
  readonly inResponseTo: string;
  readonly nameId: string;
  readonly nameIdFormat: string;
  readonly authnInstant: number;
  readonly authnContextClassRef: string;
  readonly sessionIndex: string;
  /** Encoded attributes: definition + values, only those with a SAML 2 encoding. */
  readonly attributes: readonly { readonly definition: AttributeDefinition; readonly values: readonly string[] }[];
  readonly now: number;
}

export function successResponseXml(c: AssertionContent): string {
  const template =
    `<samlp:Response ${NS} ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">` +
    `<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{StatusCode}"/></samlp:Status>` +
    `<saml:Assertion ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}"><saml:Issuer>{Issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="{NameIDFormat}">{NameID}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Destination}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="{IssueInstant}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>{AuthnContextClassRef}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `@@ATTRIBUTE_STATEMENT@@</saml:Assertion></samlp:Response>`;
  const xml = samlify.SamlLib.replaceTagsByValue(template, {
    ID: c.responseId,
    AssertionID: c.assertionId,
    IssueInstant: iso(c.now),
    NotOnOrAfter: iso(c.now + VALIDITY_MS),
    Destination: c.destination,
    InResponseTo: c.inResponseTo,
    Issuer: c.issuer,
    StatusCode: STATUS.success,
    NameIDFormat: c.nameIdFormat,
    NameID: c.nameId,
    Audience: c.audience,
    AuthnInstant: iso(c.authnInstant),
    SessionIndex: c.sessionIndex,
    AuthnContextClassRef: c.authnContextClassRef,
  });
  return xml.replace('@@ATTRIBUTE_STATEMENT@@', attributeStatement(c.attributes));
}

export function errorResponseXml(c: {
  responseId: string;
  issuer: string;
  destination: string;
  inResponseTo: string;
  status: string;
  subStatus?: string;
  message: string;
  now: number;
}): string {
  const inner = c.subStatus ? '<samlp:StatusCode Value="{SubStatus}"/>' : '';
  const template =
    `<samlp:Response ${NS} ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">` +
    `<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{StatusCode}">${inner}</samlp:StatusCode>` +
    `<samlp:StatusMessage>{StatusMessage}</samlp:StatusMessage></samlp:Status></samlp:Response>`;
  return samlify.SamlLib.replaceTagsByValue(template, {
    ID: c.responseId,
    IssueInstant: iso(c.now),
    Destination: c.destination,
    InResponseTo: c.inResponseTo,
    Issuer: c.issuer,
    StatusCode: c.status,
    SubStatus: c.subStatus,
    StatusMessage: c.message,
  });
}

function attributeStatement(attributes: AssertionContent['attributes']): string {
  if (attributes.length === 0) return '';
  const body = attributes
    .map(({ definition, values }) => {
      const enc = definition.saml2!;
      const friendly = enc.friendlyName ? ` FriendlyName="${xmlEscape(enc.friendlyName)}"` : '';
      const vals = values
        .map((v) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${xmlEscape(v)}</saml:AttributeValue>`)
        .join('');
      return `<saml:Attribute Name="${xmlEscape(enc.name)}" NameFormat="${xmlEscape(enc.nameFormat)}"${friendly}>${vals}</saml:Attribute>`;
    })
    .join('');
  return `<saml:AttributeStatement>${body}</saml:AttributeStatement>`;
}

/** Attributes the SP receives: released by the filter and with a SAML 2 encoding. */
export function encodableAttributes(
  released: AttributeValues,
  definition: (id: string) => AttributeDefinition | undefined,
): AssertionContent['attributes'] {
  return Object.entries(released).flatMap(([id, values]) => {
    const def = definition(id);
    return def?.saml2 && values.length > 0 ? [{ definition: def, values }] : [];
  });
}

export function xmlEscape(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped rather than producing invalid XML.
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
