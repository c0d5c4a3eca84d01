/**
 * SAML 2.0 Single Logout at Shibboleth's paths: /idp/profile/SAML2/Redirect/SLO and
 * /idp/profile/SAML2/POST/SLO take an SP's LogoutRequest, and the LogoutResponses of the
 * participants the IdP tells in turn (logout-propagation.ts). Messages are decoded and verified
 * strictly (logout-message.ts); one that came by POST is parked and the browser re-enters with a
 * GET, which carries its SameSite=Lax session cookie.
 *
 * A LogoutRequest names the NameID the SP was given: when it is one of this session's participants
 * — for an impersonated assertion, the target's NameID — the IdP session ends (the real user's)
 * and the other participants are told; otherwise the SP gets UnknownPrincipal and the session is
 * kept. With no IdP session at all there is nothing to end: Success.
 */
import express, { type Request, type Response, type Router } from 'express';
import { IdpError } from '../../../core/errors.js';
import { activeLogin } from '../../../session/idp-session.js';
import { participantNamed } from '../../../session/session-participants.js';
import type { DecoderDeps } from '../authn-request.js';
import type { MessageParameter, SamlParameters } from '../binding-parameters.js';
import { BINDING, SLO_PATHS, STATUS, type InboundBinding } from '../saml-bindings.js';
import { logoutAuditFields } from './logout-audit.js';
import {
  decodeLogoutMessage,
  type InboundLogoutMessage,
  type InboundLogoutRequest,
} from './logout-message.js';
import { logoutEndpoint } from './logout-outbound.js';
import { endSessionForLogout } from './logout-progress.js';
import { answer, LogoutPropagation, type LogoutPropagationDeps } from './logout-propagation.js';
import { ParkedMessages } from './parked-messages.js';

const ACCEPTS: readonly MessageParameter[] = ['SAMLRequest', 'SAMLResponse'];

export interface SamlLogoutDeps extends LogoutPropagationDeps {
  readonly decoder: DecoderDeps;
  /** The SAML parameters of the query (Redirect) or the form body (POST), read strictly. */
  readonly parameters: (
    req: Request,
    res: Response,
    binding: InboundBinding,
    accepts: readonly MessageParameter[],
  ) => Promise<SamlParameters>;
}

export class SamlLogout {
  private readonly propagation: LogoutPropagation;
  private readonly parked: ParkedMessages<InboundLogoutMessage>;

  constructor(private readonly deps: SamlLogoutDeps) {
    this.propagation = new LogoutPropagation(deps);
    this.parked = new ParkedMessages(deps.props.flowTimeoutMs);
  }

  routes(): Router {
    const router = express.Router();
    router.all(SLO_PATHS.redirect, (req, res) => this.receive(req, res, 'redirect'));
    router.all(SLO_PATHS.post, (req, res) => this.receive(req, res, 'post'));
    return router;
  }

  private async receive(req: Request, res: Response, binding: InboundBinding): Promise<void> {
    const get = req.method === 'GET';
    if (!get && req.method !== 'POST') {
      res.status(405).set('Allow', 'GET, POST').end();
      return;
    }
    const parked = get ? queryString(req, 'parked') : undefined;
    if (parked !== undefined) return this.handle(req, res, this.unpark(parked));
    if (get && queryString(req, 'continue') !== undefined) return this.propagation.step(req, res);
    if (binding === 'post' && get) {
      res.status(405).set('Allow', 'POST').end();
      return;
    }
    const params = await this.deps.parameters(req, res, binding, ACCEPTS);
    const message = decodeLogoutMessage(params, binding, {
      ...this.deps.decoder,
      destinations: Object.values(SLO_PATHS).map((p) => `${this.deps.props.baseURL}${p}`),
    });
    if (binding === 'redirect') return this.handle(req, res, message);
    const key = this.parked.park(message);
    res.redirect(303, `${SLO_PATHS.post}?parked=${encodeURIComponent(key)}`);
  }

  private unpark(key: string): InboundLogoutMessage {
    const message = this.parked.take(key);
    if (!message)
      throw new IdpError('FLOW_EXECUTION_STALE', 'the logout message has expired or was used');
    return message;
  }

  private handle(req: Request, res: Response, message: InboundLogoutMessage): Promise<void> {
    if (message.kind === 'request') return this.logoutRequest(req, res, message);
    return this.propagation.answered(req, res, {
      entityID: message.sp.id,
      inResponseTo: message.inResponseTo,
      status: message.status,
    });
  }

  private async logoutRequest(
    req: Request,
    res: Response,
    request: InboundLogoutRequest,
  ): Promise<void> {
    const { props } = this.deps;
    const login = activeLogin(req, props.session.maxLifetimeMs);
    const participant = login && participantNamed(req, request.sp.id, request.nameId);
    if (login && !participant) return this.unknownPrincipal(req, res, request, login.principalName);
    await this.deps.audit.record(
      logoutAuditFields(req, {
        relyingParty: request.sp.id,
        user: login?.principalName,
        participant,
        nameId: request.nameId,
        requestId: request.id,
        inbound: { binding: request.binding, signed: request.signed },
        details: { step: 'request', session: login ? 'ended' : 'none' },
      }),
    );
    await endSessionForLogout(req, res, props, {
      user: login?.principalName ?? '',
      except: request.sp.id,
      finish: {
        kind: 'saml',
        entityID: request.sp.id,
        inResponseTo: request.id,
        relayState: request.relayState,
        binding: BINDING[request.binding],
      },
    });
    return this.propagation.step(req, res);
  }

  /** The NameID is none this session gave the SP: the session is kept, the SP told so. */
  private async unknownPrincipal(
    req: Request,
    res: Response,
    request: InboundLogoutRequest,
    user: string,
  ): Promise<void> {
    const endpoint = logoutEndpoint(request.sp, BINDING[request.binding]);
    if (!endpoint)
      throw new IdpError(
        'ENDPOINT_RESOLUTION_FAILED',
        `${request.sp.id} has no SingleLogoutService to answer its LogoutRequest at`,
      );
    const message = await answer(this.deps, req, {
      entityID: request.sp.id,
      endpoint,
      inResponseTo: request.id,
      relayState: request.relayState,
      status: STATUS.requester,
      subStatus: STATUS.unknownPrincipal,
      user,
      nameId: request.nameId,
    });
    return this.propagation.send(res, message);
  }
}

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}
