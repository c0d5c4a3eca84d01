/**
 * Front-channel propagation of a single logout, one page per step: once the IdP session has ended
 * (logout-progress.ts holds what is left to do), each session participant with a logout endpoint
 * gets a signed LogoutRequest for the NameID it was given — an impersonated participant the
 * target's — through the browser; its LogoutResponse comes back to the IdP's SLO endpoint and the
 * next one is told. A participant without an endpoint, or answering other than Success, makes the
 * logout partial. Last, the logout ends as it began: a signed LogoutResponse to the SP that asked
 * (Success, with PartialLogout when partial), the OIDC client's post-logout redirect, or the IdP's
 * page; then the session is destroyed. Every message's audit record is written before it leaves.
 */
import type { Request, Response } from 'express';
import type { AuditLog } from '../../../audit/audit-log.js';
import type { IdpProperties } from '../../../config/idp-properties.js';
import { IdpError } from '../../../core/errors.js';
import type { XmlSigningKey } from '../../../credentials/signing-credential.js';
import type { RelyingPartyRegistry } from '../../../relying-party/relying-party.js';
import { saveSession } from '../../../session/idp-session.js';
import type { SamlParticipant } from '../../../session/session-participants.js';
import { setContentSecurityPolicy } from '../../../web/content-security-policy.js';
import { endIdpSession } from '../../../web/end-idp-session.js';
import type { Views } from '../../../web/views.js';
import { STATUS } from '../saml-bindings.js';
import { samlId } from '../saml-response.js';
import { logoutAuditFields } from './logout-audit.js';
import {
  encodeLogoutMessage,
  logoutEndpoint,
  logoutRequestXml,
  logoutResponseXml,
  type OutboundMessage,
} from './logout-outbound.js';
import type { LogoutFinish, LogoutProgress } from './logout-progress.js';

export interface LogoutPropagationDeps {
  readonly props: IdpProperties;
  readonly entityID: string;
  readonly signingKey: XmlSigningKey;
  readonly relyingParties: RelyingPartyRegistry;
  readonly audit: Pick<AuditLog, 'record'>;
  readonly views: Views;
}

export class LogoutPropagation {
  constructor(private readonly deps: LogoutPropagationDeps) {}

  /** The next step of the browser's logout: tell the next participant, or finish. */
  async step(req: Request, res: Response): Promise<void> {
    const progress = req.session?.logout;
    if (!progress)
      throw new IdpError('FLOW_EXECUTION_STALE', 'no logout is under way in this browser');
    for (let next = progress.pending.shift(); next; next = progress.pending.shift()) {
      const sent = await this.tell(req, progress, next);
      if (sent) {
        await saveSession(req);
        return this.send(res, sent);
      }
      progress.partial = true;
    }
    return this.finish(req, res, progress);
  }

  /** A participant's LogoutResponse to the request it was sent: noted, then the next step. */
  async answered(
    req: Request,
    res: Response,
    answer: { entityID: string; inResponseTo: string | undefined; status: string },
  ): Promise<void> {
    const progress = req.session?.logout;
    const current = progress?.current;
    if (
      !progress ||
      !current ||
      current.participant.entityID !== answer.entityID ||
      current.requestId !== answer.inResponseTo
    )
      throw new IdpError(
        'FLOW_EXECUTION_STALE',
        `the LogoutResponse from ${answer.entityID} answers no LogoutRequest this browser is waiting for`,
      );
    if (answer.status !== STATUS.success) progress.partial = true;
    progress.current = undefined;
    return this.step(req, res);
  }

  /** The signed LogoutRequest for a participant, audited, or undefined when it cannot be told. */
  private async tell(
    req: Request,
    progress: LogoutProgress,
    participant: SamlParticipant,
  ): Promise<OutboundMessage | undefined> {
    const sp = this.deps.relyingParties.saml(participant.entityID);
    const endpoint = sp && logoutEndpoint(sp);
    if (!endpoint) return undefined;
    const requestId = samlId();
    const xml = logoutRequestXml({
      id: requestId,
      issuer: this.deps.entityID,
      destination: endpoint.location,
      nameId: participant.nameId,
      sessionIndex: participant.sessionIndex,
      now: Date.now(),
    });
    const to = { binding: endpoint.binding, destination: endpoint.location };
    const message = await encodeLogoutMessage(xml, 'SAMLRequest', to, null, this.deps.signingKey);
    await this.deps.audit.record(
      logoutAuditFields(req, {
        relyingParty: participant.entityID,
        user: progress.user,
        participant,
        requestId,
        outboundBinding: endpoint.binding,
        details: { step: 'propagate' },
      }),
    );
    progress.current = { participant, requestId };
    return message;
  }

  /** The end of the logout: its last message (audited first), and the session destroyed. */
  private async finish(req: Request, res: Response, progress: LogoutProgress): Promise<void> {
    const finish = progress.finish;
    const last = finish.kind === 'saml' ? await this.response(req, progress, finish) : undefined;
    await endIdpSession(req, res, this.deps.props);
    if (last) return this.send(res, last);
    if (finish.kind === 'redirect') return this.onward(res, finish.url);
    res.set('Cache-Control', 'no-store');
    await this.deps.views.render(res, 'saml/logout-done', { partial: progress.partial });
  }

  private async response(
    req: Request,
    progress: LogoutProgress,
    finish: Extract<LogoutFinish, { kind: 'saml' }>,
  ): Promise<OutboundMessage | undefined> {
    const sp = this.deps.relyingParties.saml(finish.entityID);
    const endpoint = sp && logoutEndpoint(sp, finish.binding);
    if (!endpoint) return undefined;
    const subStatus = progress.partial ? STATUS.partialLogout : undefined;
    return answer(this.deps, req, {
      entityID: finish.entityID,
      endpoint,
      inResponseTo: finish.inResponseTo,
      relayState: finish.relayState,
      status: STATUS.success,
      subStatus,
      user: progress.user,
    });
  }

  /** The message to the browser: a page sending it on by GET, or posting it (its CSP allows the SP). */
  async send(res: Response, message: OutboundMessage): Promise<void> {
    if (message.binding === 'redirect') return this.onward(res, message.url);
    res.set('Cache-Control', 'no-store');
    setContentSecurityPolicy(res, [message.action]);
    await this.deps.views.render(res, 'saml/logout-step', message);
  }

  /** Another site by GET, from a page (views/saml/logout-onward.ejs says why not a 303). */
  async onward(res: Response, url: string): Promise<void> {
    res.set('Cache-Control', 'no-store');
    await this.deps.views.render(res, 'saml/logout-onward', { url });
  }
}

/** A signed LogoutResponse to an SP's endpoint, its audit record written first. */
export async function answer(
  deps: Pick<LogoutPropagationDeps, 'entityID' | 'signingKey' | 'audit'>,
  req: Request,
  a: {
    entityID: string;
    endpoint: { location: string; binding: string; responseLocation?: string };
    inResponseTo: string;
    relayState: string | null;
    status: string;
    subStatus?: string;
    user: string | undefined;
    participant?: SamlParticipant;
    /** The NameID a refused LogoutRequest named. */
    nameId?: { value: string; format?: string };
  },
): Promise<OutboundMessage> {
  const responseId = samlId();
  const destination = a.endpoint.responseLocation ?? a.endpoint.location;
  const xml = logoutResponseXml({
    id: responseId,
    issuer: deps.entityID,
    destination,
    inResponseTo: a.inResponseTo,
    status: a.status,
    subStatus: a.subStatus,
    now: Date.now(),
  });
  const to = { binding: a.endpoint.binding, destination };
  const message = await encodeLogoutMessage(xml, 'SAMLResponse', to, a.relayState, deps.signingKey);
  await deps.audit.record(
    logoutAuditFields(req, {
      relyingParty: a.entityID,
      user: a.user,
      participant: a.participant,
      nameId: a.nameId,
      inResponseTo: a.inResponseTo,
      responseId,
      outboundBinding: a.endpoint.binding,
      status: a.status,
      subStatus: a.subStatus,
      refused: a.status !== STATUS.success,
      details: { step: 'respond' },
    }),
  );
  return message;
}
