/**
 * The SAML Response documents the IdP sends: a success Response with its Assertion, or an error
 * Response, built as element trees (xml/xml-tree.ts) and signed where the service provider's
 * configuration asks (xml/enveloped-signature.ts) — the assertion first, then the message, whose
 * signature then covers the assertion's. Values are any strings: the tree escapes them.
 *
 * An identity released at impersonation level delegate names the actor in the assertion's
 * Conditions with the OASIS "SAML V2.0 Condition for Delegation Restriction" (CS01, 2009): a
 * saml:Condition of xsi:type del:DelegationRestrictionType holding one del:Delegate — the real
 * user's NameID and when they began acting. The prefixes it uses only inside the xsi:type value
 * (del) are declared on the condition itself, so they stay in scope for the signed assertion.
 */
import { randomBytes } from 'node:crypto';
import type { AttributeDefinition } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../core/attribute-values.js';
import { STATUS } from './saml-bindings.js';
import type { XmlSigningKey } from '../../credentials/signing-credential.js';
import { encryptAssertion, type EncryptionRecipient } from './xml/assertion-encryption.js';
import { signEnveloped } from './xml/enveloped-signature.js';
import { el, scopeAt, serialize, type XmlElement } from './xml/xml-tree.js';

const NAMESPACES = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
};
const VALUE_NAMESPACES = {
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};
/** The namespace of the Delegation Restriction condition (sstc-saml-delegation). */
const DELEGATION_NAMESPACE = 'urn:oasis:names:tc:SAML:2.0:conditions:delegation';
const UNSPECIFIED_NAMEID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
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
  /** The NameID's qualifiers (transient and persistent identifiers: the IdP and the SP). */
  readonly nameQualifier?: string;
  readonly spNameQualifier?: string;
  readonly authnInstant: number;
  readonly authnContextClassRef: string;
  readonly sessionIndex: string;
  /** When the SP must end its session for this subject (SAML core §2.7.2); set for impersonation only. */
  readonly sessionNotOnOrAfter?: number;
  /**
   * At impersonation level delegate: who acts for the subject (their account name, NameID format
   * unspecified) and since when — the assertion's del:Delegate. Absent otherwise.
   */
  readonly delegate?: { readonly actor: string; readonly instant: number };
  /** Encoded attributes: definition + values, only those with a SAML 2 encoding. */
  readonly attributes: readonly {
    readonly definition: AttributeDefinition;
    readonly values: readonly string[];
  }[];
  readonly now: number;
}

export interface ErrorContent {
  readonly responseId: string;
  readonly issuer: string;
  readonly destination: string;
  readonly inResponseTo: string;
  readonly status: string;
  readonly subStatus?: string;
  readonly message: string;
  readonly now: number;
}

/** What to sign: the assertion, the whole message, or both. */
export interface SigningPolicy {
  readonly assertion: boolean;
  readonly response: boolean;
}

/**
 * `encryptFor`: the SP's encryption certificate when its assertions are encrypted — sign the
 * assertion, encrypt it in its place, then sign the message over the EncryptedAssertion.
 */
export async function successResponseXml(
  c: AssertionContent,
  signing: SigningPolicy,
  key: XmlSigningKey,
  encryptFor?: EncryptionRecipient,
): Promise<string> {
  const instant = iso(c.now);
  const notOnOrAfter = iso(c.now + VALIDITY_MS);
  const assertion = el(
    'saml:Assertion',
    { ID: c.assertionId, Version: '2.0', IssueInstant: instant },
    [
      el('saml:Issuer', {}, [c.issuer]),
      subjectElement(c, notOnOrAfter),
      el('saml:Conditions', { NotBefore: instant, NotOnOrAfter: notOnOrAfter }, [
        el('saml:AudienceRestriction', {}, [el('saml:Audience', {}, [c.audience])]),
        c.delegate && delegationRestriction(c.delegate),
      ]),
      authnStatement(c),
      attributeStatement(c.attributes),
    ],
  );
  const response = el(
    'samlp:Response',
    {
      ID: c.responseId,
      Version: '2.0',
      IssueInstant: instant,
      Destination: c.destination,
      InResponseTo: c.inResponseTo,
    },
    [
      el('saml:Issuer', {}, [c.issuer]),
      el('samlp:Status', {}, [el('samlp:StatusCode', { Value: STATUS.success })]),
      assertion,
    ],
    NAMESPACES,
  );
  if (signing.assertion) await signEnveloped(response, assertion, key);
  if (encryptFor) {
    const at = response.children.indexOf(assertion);
    response.children[at] = encryptAssertion(assertion, scopeAt(response, assertion)!, encryptFor);
  }
  if (signing.response) await signEnveloped(response, response, key);
  return serialize(response);
}

/** An error Response carries no assertion, so it is always signed as a message. */
/** samlp:Status: the top-level code, a second-level one inside it, and a message, as given. */
export function statusElement(status: string, subStatus?: string, message?: string): XmlElement {
  return el('samlp:Status', {}, [
    el('samlp:StatusCode', { Value: status }, [
      subStatus ? el('samlp:StatusCode', { Value: subStatus }) : undefined,
    ]),
    message === undefined ? undefined : el('samlp:StatusMessage', {}, [message]),
  ]);
}

export async function errorResponseXml(c: ErrorContent, key: XmlSigningKey): Promise<string> {
  const response = el(
    'samlp:Response',
    {
      ID: c.responseId,
      Version: '2.0',
      IssueInstant: iso(c.now),
      Destination: c.destination,
      InResponseTo: c.inResponseTo,
    },
    [el('saml:Issuer', {}, [c.issuer]), statusElement(c.status, c.subStatus, c.message)],
    NAMESPACES,
  );
  await signEnveloped(response, response, key);
  return serialize(response);
}

/** The Subject: the NameID and its bearer confirmation for this response's recipient. */
function subjectElement(c: AssertionContent, notOnOrAfter: string): XmlElement {
  const nameIdAttributes = {
    NameQualifier: c.nameQualifier,
    SPNameQualifier: c.spNameQualifier,
    Format: c.nameIdFormat,
  };
  return el('saml:Subject', {}, [
    el('saml:NameID', nameIdAttributes, [c.nameId]),
    el('saml:SubjectConfirmation', { Method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer' }, [
      el('saml:SubjectConfirmationData', {
        NotOnOrAfter: notOnOrAfter,
        Recipient: c.destination,
        InResponseTo: c.inResponseTo,
      }),
    ]),
  ]);
}

/** The AuthnStatement; SessionNotOnOrAfter only when the content bounds the SP's session. */
function authnStatement(c: AssertionContent): XmlElement {
  const bound = c.sessionNotOnOrAfter;
  return el(
    'saml:AuthnStatement',
    {
      AuthnInstant: iso(c.authnInstant),
      SessionIndex: c.sessionIndex,
      SessionNotOnOrAfter: bound === undefined ? undefined : iso(bound),
    },
    [el('saml:AuthnContext', {}, [el('saml:AuthnContextClassRef', {}, [c.authnContextClassRef])])],
  );
}

/** The Delegation Restriction condition naming the actor (sstc-saml-delegation §2.1–2.2). */
function delegationRestriction(delegate: NonNullable<AssertionContent['delegate']>): XmlElement {
  return el(
    'saml:Condition',
    { 'xsi:type': 'del:DelegationRestrictionType' },
    [
      el('del:Delegate', { DelegationInstant: iso(delegate.instant) }, [
        el('saml:NameID', { Format: UNSPECIFIED_NAMEID }, [delegate.actor]),
      ]),
    ],
    { xsi: VALUE_NAMESPACES.xsi, del: DELEGATION_NAMESPACE },
  );
}

function attributeStatement(attributes: AssertionContent['attributes']): XmlElement | undefined {
  if (attributes.length === 0) return undefined;
  return el(
    'saml:AttributeStatement',
    {},
    attributes.map(({ definition, values }) => {
      const enc = definition.saml2!;
      return el(
        'saml:Attribute',
        { Name: enc.name, NameFormat: enc.nameFormat, FriendlyName: enc.friendlyName },
        values.map((v) => el('saml:AttributeValue', { 'xsi:type': 'xs:string' }, [v])),
      );
    }),
    VALUE_NAMESPACES,
  );
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

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
