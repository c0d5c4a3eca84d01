/**
 * SAML 2.0 Web Browser SSO at Shibboleth's paths: metadata at /idp/shibboleth, SSO at
 * /idp/profile/SAML2/Redirect/SSO and /idp/profile/SAML2/POST/SSO. Responses are signed (assertion
 * and/or message, per SP) and go back over HTTP-POST, always after their audit record is on disk
 * (saml-responder.ts). Single logout is at …/Redirect/SLO and …/POST/SLO (logout/saml-logout.ts).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { IdpEvent } from '../../core/events.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { ProfileRequestContext, ResolvedContext } from '../../core/request-context.js';
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
import {
  samlParameters,
  type MessageParameter,
  type SamlParameters,
} from './binding-parameters.js';
import { readFormBody } from './form-body.js';
import { SAML2_SSO_PROFILE, SLO_PATHS, SSO_PATHS } from './saml-bindings.js';
import { SamlLogout } from './logout/saml-logout.js';
import { SamlResponder, type SamlInbound, type SamlResponderDeps } from './saml-responder.js';

const SAML_FRONT_END = 'saml2';

export interface SamlFrontEndDeps extends SamlResponderDeps {
  readonly props: IdpProperties;
  readonly log: ProcessLog;
}

export class SamlFrontEnd implements ProtocolFrontEnd {
  readonly id = SAML_FRONT_END;
  readonly paths = [...Object.values(SSO_PATHS), ...Object.values(SLO_PATHS)];
  readonly sessionlessPaths = [SSO_PATHS.metadata];
  private readonly gate: AdmissionGate;
  private readonly decoderDeps: DecoderDeps;
  private readonly responder: SamlResponder;
  private readonly logout: SamlLogout;

  constructor(private readonly deps: SamlFrontEndDeps) {
    this.responder = new SamlResponder(deps);
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
    this.logout = new SamlLogout({
      ...deps,
      entityID: deps.entities.entityID,
      decoder: this.decoderDeps,
      parameters: (req, res, binding, accepts) => this.parameters(req, res, binding, accepts),
    });
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
    router.get(SSO_PATHS.metadata, async (_req, res) => {
      res.type('application/samlmetadata+xml').send(await this.deps.entities.metadata());
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
    router.use(this.logout.routes());
    return router;
  }

  /** The SAML parameters from the query (Redirect) or the form body (POST), read strictly. */
  private async parameters(
    req: Request,
    res: Response,
    binding: InboundBinding,
    accepts?: readonly MessageParameter[],
  ): Promise<SamlParameters> {
    const { maxMessageSize, bodyTimeoutMs } = this.deps.props.samlInbound;
    const maxEncoded = Math.ceil(maxMessageSize / 3) * 4 + Math.ceil(maxMessageSize / 57) * 2;
    if (binding === 'redirect') {
      const q = req.originalUrl.indexOf('?');
      return samlParameters(
        q === -1 ? '' : req.originalUrl.slice(q + 1),
        'query string',
        maxEncoded,
        accepts,
      );
    }
    try {
      // Percent-encoding can triple base64's + / =; RelayState and the rest get 16 KiB.
      const body = await readFormBody(req, {
        maxBytes: 3 * maxEncoded + 16 * 1024,
        timeoutMs: bodyTimeoutMs,
      });
      return samlParameters(body, 'form body', maxEncoded, accepts);
    } catch (err) {
      // Whatever of the body is unread stays unread: the connection ends with the refusal.
      if (!req.readableEnded) res.set('Connection', 'close');
      throw err;
    }
  }

  /** The Response to the SP (saml-responder.ts). */
  respond(exchange: HttpExchange, prc: ResolvedContext): Promise<void> {
    return this.responder.respond(exchange, prc);
  }

  /** The error Response for an event (saml-responder.ts). */
  respondError(exchange: HttpExchange, prc: ProfileRequestContext, event: IdpEvent): Promise<void> {
    return this.responder.respondError(exchange, prc, event);
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
        acsUrl: decoded.acsUrl,
        nameIdPolicy: decoded.nameIdPolicy,
      } satisfies SamlInbound,
      passive: decoded.isPassive,
      forceAuthn: decoded.forceAuthn,
      startTime: Date.now(),
      step: 'authenticate',
      audit: {},
    };
  }
}

function executionOf(req: Request): string | undefined {
  const execution = req.query.execution;
  return typeof execution === 'string' && execution !== '' ? execution : undefined;
}
