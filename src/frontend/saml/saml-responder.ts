/**
 * The SAML front-end's answers: a Response to the SP — success with its NameID and released
 * attributes, or an error status for an event — built and signed (saml-response.ts), its audit
 * record on disk first, then sent over HTTP-POST in an auto-submitting form to the ACS chosen for
 * the request (acs-selection.ts).
 */
import type { Request, Response } from 'express';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import { AuditAction, AuditField } from '../../audit/audit-fields.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { auditFieldsOf } from '../../audit/audit-record.js';
import { noteImpersonation } from '../../session/impersonation-history.js';
import { saveSession } from '../../session/idp-session.js';
import { noteSamlParticipant, type SamlNameId } from '../../session/session-participants.js';
import { IdpError } from '../../core/errors.js';
import {
  EVENTS,
  type IdpEvent,
  type SamlSubStatus,
  type SamlTopStatus,
} from '../../core/events.js';
import type { HttpExchange } from '../../core/http-exchange.js';
import type {
  Json,
  ProfileRequestContext,
  ResolvedContext,
  SubjectContext,
} from '../../core/request-context.js';
import type { XmlSigningKey } from '../../credentials/signing-credential.js';
import type { NameIdPolicy } from '../../relying-party/name-id-choice.js';
import type {
  RelyingPartyRegistry,
  SamlServiceProvider,
} from '../../relying-party/relying-party.js';
import { setContentSecurityPolicy } from '../../web/content-security-policy.js';
import type { Messages } from '../../web/messages.js';
import type { Views } from '../../web/views.js';
import { BINDING, STATUS } from './saml-bindings.js';
import type { NameIdGenerator } from './nameid/name-id-generator.js';
import type { SamlEntities } from './saml-entities.js';
import { DATA_ENCRYPTION_ALGORITHM } from './xml/assertion-encryption.js';
import {
  encodableAttributes,
  errorResponseXml,
  samlId,
  successResponseXml,
  type AssertionContent,
} from './saml-response.js';

/** What the SAML front-end keeps of the request while the pipeline runs. */
export interface SamlInbound {
  [key: string]: Json;
  requestId: string;
  relayState: string | null;
  binding: string;
  signed: boolean;
  /** The ACS chosen for this request (acs-selection.ts): the only place its response is posted. */
  acsUrl: string;
  /** The request's NameIDPolicy, or null (also missing from a request parked before it was read). */
  nameIdPolicy: NameIdPolicy | null;
}

/** What answering needs of the front-end's services. */
export interface SamlResponderDeps {
  readonly entities: SamlEntities;
  readonly signingKey: XmlSigningKey;
  readonly relyingParties: RelyingPartyRegistry;
  readonly resolver: AttributeResolver;
  /** The NameID of each response (nameid/name-id-generator.ts). */
  readonly nameIds: NameIdGenerator;
  readonly audit: AuditLog;
  readonly views: Views;
  readonly messages: Messages;
  /** idp.impersonate.sessionLifetime: how long an SP may keep a session for an impersonated subject. */
  readonly impersonatedSessionLifetimeMs: number;
}

/** A SAML status code of events.ts as its URI (SAML core §3.2.2.2). */
function statusUri(name: SamlTopStatus | SamlSubStatus): string {
  return `urn:oasis:names:tc:SAML:2.0:status:${name}`;
}

export class SamlResponder {
  constructor(private readonly deps: SamlResponderDeps) {}

  async respond(exchange: HttpExchange, prc: ResolvedContext): Promise<void> {
    const sp = this.sp(prc);
    const inbound = prc.inbound as SamlInbound;
    const subject = prc.subject;
    const nameId = await this.nameIdOf(prc, sp, inbound);
    if (!nameId) return this.respondError(exchange, prc, 'InvalidNameIDPolicy');
    const attributes = encodableAttributes(prc.attributes.filtered, (id) =>
      this.deps.resolver.definition(id),
    );
    const responseId = samlId();
    const assertionId = samlId();
    const sessionIndex = samlId();
    const now = Date.now();
    const xml = await successResponseXml(
      {
        responseId,
        assertionId,
        issuer: this.deps.entities.entityID,
        destination: inbound.acsUrl,
        audience: sp.id,
        inResponseTo: inbound.requestId,
        nameId: nameId.value,
        nameIdFormat: nameId.format,
        nameQualifier: nameId.nameQualifier,
        spNameQualifier: nameId.spNameQualifier,
        authnInstant: subject.authnInstant,
        authnContextClassRef: subject.authnMethod,
        sessionIndex,
        ...this.impersonationContent(subject, now),
        attributes,
        now,
      },
      { assertion: sp.signAssertions, response: sp.signResponses },
      this.deps.signingKey,
      sp.encryptAssertions
        ? { entityID: sp.id, certificate: sp.encryptionCertificates[0]! }
        : undefined,
    );
    const encoded = Buffer.from(xml, 'utf8').toString('base64');
    await this.deps.audit.record(
      auditFieldsOf(prc, exchange.req, {
        ...this.protocolFields(inbound, responseId, STATUS.success),
        [AuditField.ASSERTION_ID]: assertionId,
        [AuditField.NAMEID]: nameId.value,
        [AuditField.NAMEID_FORMAT]: nameId.format,
        [AuditField.ENCRYPTION_ALGORITHM]: sp.encryptAssertions
          ? DATA_ENCRYPTION_ALGORITHM
          : undefined,
        [AuditField.ATTRIBUTES]: attributes.map((a) => a.definition.id),
        [AuditField.ACTION]: AuditAction.RELEASE,
      }),
    );
    // Recorded: now single logout may tell the SP, and the tester's "Who am I" page may list it.
    // Stored before the response leaves: express-session would store it as the response ends and
    // send the response even when that fails, and single logout would then never tell this SP.
    noteReleased(exchange.req, { entityID: sp.id, nameId, sessionIndex, subject, at: now });
    if (exchange.req.session?.idp) await saveSession(exchange.req);
    await this.post(exchange.res, inbound.acsUrl, encoded, inbound.relayState);
  }

  /** The subject's NameID for this SP and request, or undefined when the NameIDPolicy cannot be met. */
  private async nameIdOf(prc: ResolvedContext, sp: SamlServiceProvider, inbound: SamlInbound) {
    const named = await this.deps.nameIds.nameIdFor({
      sp,
      policy: inbound.nameIdPolicy,
      principal: prc.subject.principalName,
      released: prc.attributes.filtered,
    });
    return 'refused' in named ? undefined : named.nameId;
  }

  async respondError(
    exchange: HttpExchange,
    prc: ProfileRequestContext,
    event: IdpEvent,
  ): Promise<void> {
    this.sp(prc); // only a SAML SP gets a SAML Response: refused otherwise
    const inbound = prc.inbound as SamlInbound;
    const [top, sub] = EVENTS[event].saml;
    const status = statusUri(top);
    const subStatus = sub && statusUri(sub);
    const responseId = samlId();
    const xml = await errorResponseXml(
      {
        responseId,
        issuer: this.deps.entities.entityID,
        destination: inbound.acsUrl,
        inResponseTo: inbound.requestId,
        status,
        subStatus,
        message: this.deps.messages.forEvent(event).title,
        now: Date.now(),
      },
      this.deps.signingKey,
    );
    const encoded = Buffer.from(xml, 'utf8').toString('base64');
    await this.deps.audit.record(
      auditFieldsOf(prc, exchange.req, {
        ...this.protocolFields(inbound, responseId, status),
        [AuditField.SUBSTATUS]: subStatus,
        [AuditField.EVENT]: event,
        [AuditField.ACTION]: AuditAction.REFUSE,
      }),
    );
    await this.post(exchange.res, inbound.acsUrl, encoded, inbound.relayState);
  }

  /**
   * What an impersonated subject adds to the assertion: the bound on the SP's session, and at
   * level delegate the actor in a Delegation Restriction condition.
   */
  private impersonationContent(
    subject: SubjectContext,
    now: number,
  ): Pick<AssertionContent, 'sessionNotOnOrAfter' | 'delegate'> {
    const impersonation = subject.impersonation;
    if (!impersonation) return {};
    return {
      sessionNotOnOrAfter: now + this.deps.impersonatedSessionLifetimeMs,
      delegate:
        impersonation.level === 'delegate'
          ? { actor: impersonation.impersonator, instant: now }
          : undefined,
    };
  }

  private protocolFields(inbound: SamlInbound, responseId: string, status: string) {
    return {
      [AuditField.RESPONDER]: this.deps.entities.entityID,
      [AuditField.REQUEST_ID]: inbound.requestId,
      [AuditField.IN_RESPONSE_TO]: inbound.requestId,
      [AuditField.RESPONSE_ID]: responseId,
      [AuditField.INBOUND_BINDING]: inbound.binding,
      [AuditField.OUTBOUND_BINDING]: BINDING.post,
      [AuditField.IS_SIGNED]: String(inbound.signed),
      [AuditField.STATUS]: status,
      [AuditField.RELAY_STATE]: inbound.relayState ?? undefined,
    };
  }

  private sp(prc: ProfileRequestContext): SamlServiceProvider {
    const sp = this.deps.relyingParties.saml(prc.relyingPartyId);
    if (!sp)
      throw new IdpError(
        'UNKNOWN_RELYING_PARTY',
        `${prc.relyingPartyId} is not a SAML service provider`,
      );
    return sp;
  }

  /** The auto-submitting form that carries the Response to the request's ACS. */
  private async post(
    res: Response,
    acsUrl: string,
    samlResponse: string,
    relayState: string | null,
  ): Promise<void> {
    setContentSecurityPolicy(res, [acsUrl]);
    res.set('Cache-Control', 'no-store');
    await this.deps.views.render(res, 'saml/post-response', {
      action: acsUrl,
      samlResponse,
      relayState,
    });
  }
}

/** What the session keeps of a released assertion: its participant entry, and the impersonation. */
function noteReleased(
  req: Request,
  r: {
    entityID: string;
    nameId: SamlNameId;
    sessionIndex: string;
    subject: SubjectContext;
    at: number;
  },
): void {
  const { value, format, nameQualifier, spNameQualifier } = r.nameId;
  const impersonation = r.subject.impersonation;
  noteSamlParticipant(req, {
    entityID: r.entityID,
    nameId: { value, format, nameQualifier, spNameQualifier },
    sessionIndex: r.sessionIndex,
    principal: r.subject.principalName,
    impersonated: impersonation !== undefined,
    at: r.at,
  });
  if (impersonation)
    noteImpersonation(req, {
      target: r.subject.principalName,
      relyingParty: r.entityID,
      level: impersonation.level,
      at: r.at,
    });
}
