/**
 * SAML 2.0 Web Browser SSO at Shibboleth's paths: metadata at /idp/shibboleth, SSO at
 * /idp/profile/SAML2/Redirect/SSO and /idp/profile/SAML2/POST/SSO. Responses are signed (assertion
 * and/or message, per SP) and go back over HTTP-POST, always after their audit record is on disk.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import { AuditField } from '../../audit/audit-fields.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { IdpError } from '../../core/errors.js';
import {
  EVENTS,
  type IdpEvent,
  type SamlSubStatus,
  type SamlTopStatus,
} from '../../core/events.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import { auditFieldsOf } from '../../audit/audit-record.js';
import type { Json, ProfileRequestContext, ResolvedContext } from '../../core/request-context.js';
import {
  NAMEID_FORMATS,
  type RelyingPartyRegistry,
  type SamlServiceProvider,
} from '../../relying-party/relying-party.js';
import { setContentSecurityPolicy } from '../../web/content-security-policy.js';
import type { Messages } from '../../web/messages.js';
import type { Views } from '../../web/views.js';
import type { HttpExchange } from '../../core/http-exchange.js';
import type { ProfilePipeline, ProtocolFrontEnd } from '../protocol-front-end.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { AdmissionGate } from './admission-gate.js';
import {
  decodeAuthnRequest,
  type DecodedAuthnRequest,
  type DecoderDeps,
  type InboundBinding,
} from './authn-request.js';
import { samlParameters, type SamlParameters } from './binding-parameters.js';
import { readFormBody } from './form-body.js';
import { BINDING, SAML2_SSO_PROFILE, SSO_PATHS, STATUS } from './saml-bindings.js';
import type { SamlEntities } from './saml-entities.js';
import {
  encodableAttributes,
  errorResponseXml,
  samlId,
  successResponseXml,
} from './saml-response.js';
import type { XmlSigningKey } from '../../credentials/signing-credential.js';

const SAML_FRONT_END = 'saml2';

/** What the SAML front-end keeps of the request while the pipeline runs. */
interface SamlInbound {
  [key: string]: Json;
  requestId: string;
  relayState: string | null;
  binding: string;
  signed: boolean;
}

/** A SAML status code of events.ts as its URI (SAML core §3.2.2.2). */
function statusUri(name: SamlTopStatus | SamlSubStatus): string {
  return `urn:oasis:names:tc:SAML:2.0:status:${name}`;
}

export interface SamlFrontEndDeps {
  readonly props: IdpProperties;
  readonly entities: SamlEntities;
  readonly signingKey: XmlSigningKey;
  readonly relyingParties: RelyingPartyRegistry;
  readonly resolver: AttributeResolver;
  readonly audit: AuditLog;
  readonly views: Views;
  readonly messages: Messages;
  readonly log: ProcessLog;
}

export class SamlFrontEnd implements ProtocolFrontEnd {
  readonly id = SAML_FRONT_END;
  readonly paths = Object.values(SSO_PATHS);
  readonly sessionlessPaths = [SSO_PATHS.metadata];
  private readonly gate: AdmissionGate;
  private readonly decoderDeps: DecoderDeps;

  constructor(private readonly deps: SamlFrontEndDeps) {
    this.gate = new AdmissionGate(
      deps.props.samlInbound.maxConcurrent,
      deps.views,
      deps.messages,
      deps.log,
    );
    this.decoderDeps = {
      relyingParties: deps.relyingParties,
      maxMessageSize: deps.props.samlInbound.maxMessageSize,
      log: deps.log,
    };
    for (const sp of deps.relyingParties.all) {
      if (sp.kind === 'saml' && sp.allowSha1Signatures) {
        deps.log.warn(
          `${sp.declaredAt}: ${sp.id}: allowSha1Signatures is set: AuthnRequests signed with SHA-1 (broken for signatures) are accepted from this SP`,
        );
      }
    }
  }

  /** The admission gate, to run before anything else the IdP does with a request (see AdmissionGate). */
  admission() {
    return this.gate.middleware(
      [SSO_PATHS.redirect, SSO_PATHS.post],
      (req) => executionOf(req) !== undefined,
    );
  }

  routes(flow: ProfilePipeline): Router {
    const router = express.Router();
    // Only the IdP's own forms (?execution=…) are parsed by express; SAML messages are read below.
    const continuationForm = express.urlencoded({ extended: false, limit: '128kb' });
    router.get(SSO_PATHS.metadata, (_req, res) => {
      res.type('application/samlmetadata+xml').send(this.deps.entities.metadata());
    });
    for (const [path, binding] of [
      [SSO_PATHS.redirect, 'redirect'],
      [SSO_PATHS.post, 'post'],
    ] as const) {
      router.all(
        path,
        (req, res, next) => (executionOf(req) ? continuationForm(req, res, next) : next()),
        async (req, res) => {
          if (req.method !== 'GET' && req.method !== 'POST') {
            res.status(405).set('Allow', 'GET, POST').end();
            return;
          }
          const exchange = { req, res };
          const execution = executionOf(req);
          if (execution) return flow.continue(exchange, execution);
          if (binding === 'post' && req.method !== 'POST') {
            res.status(405).set('Allow', 'POST').end();
            return;
          }
          // Admitted by the gate in front of the app (admission()), a turn ago — or now.
          if (!this.gate.admitted(res)) return;
          const decoded = decodeAuthnRequest(
            await this.parameters(req, res, binding),
            binding,
            this.decoderDeps,
          );
          const prc = this.contextFor(decoded);
          // A POST from the SP carries no SameSite=Lax cookie: re-enter with a GET first.
          if (binding === 'post') return flow.parkInbound(exchange, prc);
          return flow.start(exchange, prc);
        },
      );
    }
    return router;
  }

  /** The SAML parameters from the query (Redirect) or the form body (POST), read strictly. */
  private async parameters(
    req: Request,
    res: Response,
    binding: InboundBinding,
  ): Promise<SamlParameters> {
    const { maxMessageSize, bodyTimeoutMs } = this.deps.props.samlInbound;
    const maxEncoded = Math.ceil(maxMessageSize / 3) * 4 + Math.ceil(maxMessageSize / 57) * 2;
    if (binding === 'redirect') {
      const q = req.originalUrl.indexOf('?');
      return samlParameters(
        q === -1 ? '' : req.originalUrl.slice(q + 1),
        'query string',
        maxEncoded,
      );
    }
    try {
      // Percent-encoding can triple base64's + / =; RelayState and the rest get 16 KiB.
      const body = await readFormBody(req, {
        maxBytes: 3 * maxEncoded + 16 * 1024,
        timeoutMs: bodyTimeoutMs,
      });
      return samlParameters(body, 'form body', maxEncoded);
    } catch (err) {
      // Whatever of the body is unread stays unread: the connection ends with the refusal.
      if (!req.readableEnded) res.set('Connection', 'close');
      throw err;
    }
  }

  async respond(exchange: HttpExchange, prc: ResolvedContext): Promise<void> {
    const sp = this.sp(prc);
    const inbound = prc.inbound as SamlInbound;
    const subject = prc.subject;
    const nameId = this.nameIdFor(sp, prc);
    if (!nameId) return this.respondError(exchange, prc, 'InvalidNameIDPolicy');
    const attributes = encodableAttributes(prc.attributes.filtered, (id) =>
      this.deps.resolver.definition(id),
    );
    const responseId = samlId();
    const assertionId = samlId();
    const xml = await successResponseXml(
      {
        responseId,
        assertionId,
        issuer: this.deps.entities.entityID,
        destination: sp.assertionConsumerServiceURL,
        audience: sp.id,
        inResponseTo: inbound.requestId,
        nameId: nameId.value,
        nameIdFormat: nameId.format,
        authnInstant: subject.authnInstant,
        authnContextClassRef: subject.authnMethod,
        sessionIndex: samlId(),
        attributes,
        now: Date.now(),
      },
      { assertion: sp.signAssertions, response: sp.signResponses },
      this.deps.signingKey,
    );
    const encoded = Buffer.from(xml, 'utf8').toString('base64');
    await this.deps.audit.record(
      auditFieldsOf(prc, exchange.req, {
        ...this.protocolFields(inbound, responseId, STATUS.success),
        [AuditField.ASSERTION_ID]: assertionId,
        [AuditField.NAMEID]: nameId.value,
        [AuditField.NAMEID_FORMAT]: nameId.format,
        [AuditField.ATTRIBUTES]: attributes.map((a) => a.definition.id),
      }),
    );
    await this.post(exchange.res, sp, encoded, inbound.relayState);
  }

  async respondError(
    exchange: HttpExchange,
    prc: ProfileRequestContext,
    event: IdpEvent,
  ): Promise<void> {
    const sp = this.sp(prc);
    const inbound = prc.inbound as SamlInbound;
    const [top, sub] = EVENTS[event].saml;
    const status = statusUri(top);
    const subStatus = sub && statusUri(sub);
    const responseId = samlId();
    const xml = await errorResponseXml(
      {
        responseId,
        issuer: this.deps.entities.entityID,
        destination: sp.assertionConsumerServiceURL,
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
      }),
    );
    await this.post(exchange.res, sp, encoded, inbound.relayState);
  }

  private contextFor(decoded: DecodedAuthnRequest): ProfileRequestContext {
    return {
      profile: SAML2_SSO_PROFILE,
      frontEnd: SAML_FRONT_END,
      relyingPartyId: decoded.sp.id,
      inbound: {
        requestId: decoded.requestId,
        relayState: decoded.relayState,
        binding: decoded.binding,
        signed: decoded.signed,
      } satisfies SamlInbound,
      passive: decoded.isPassive,
      forceAuthn: decoded.forceAuthn,
      startTime: Date.now(),
      step: 'authenticate',
      audit: {},
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

  private nameIdFor(
    sp: SamlServiceProvider,
    prc: ResolvedContext,
  ): { value: string; format: string } | undefined {
    const format = NAMEID_FORMATS[sp.nameIDFormat];
    switch (sp.nameIDFormat) {
      case 'unspecified':
        return { value: prc.subject.principalName, format };
      case 'transient':
        return { value: samlId(), format };
      case 'emailAddress': {
        const mail = prc.attributes.filtered.mail?.[0];
        return mail ? { value: mail, format } : undefined;
      }
    }
  }

  private async post(
    res: Response,
    sp: SamlServiceProvider,
    samlResponse: string,
    relayState: string | null,
  ): Promise<void> {
    setContentSecurityPolicy(res, [sp.assertionConsumerServiceURL]);
    res.set('Cache-Control', 'no-store');
    await this.deps.views.render(res, 'saml/post-response', {
      action: sp.assertionConsumerServiceURL,
      samlResponse,
      relayState,
    });
  }
}

function executionOf(req: Request): string | undefined {
  const execution = req.query.execution;
  return typeof execution === 'string' && execution !== '' ? execution : undefined;
}
