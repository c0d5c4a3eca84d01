/**
 * The browser SSO pipeline, the same for every protocol:
 *
 *   front-end decodes the request  (frontend/saml, …)
 *     1. authenticate             steps/authenticate.ts          IdP session or password form
 *     2. resolve-attributes       steps/resolve-attributes.ts    resolver + filter for the RP
 *     3. intercept                steps/run-intercepts.ts        postAuthenticationFlows, in order
 *     4. respond                  steps/respond.ts               front-end encodes, audits, sends
 *
 * A step may show a view: the request then waits in the flow-execution store under a fresh,
 * single-use key, and the form posts back to the same endpoint with ?execution=<key> and a CSRF
 * token. A step may end the request with an event (outcomes.ts).
 *
 * Who the request is for is re-checked (recheck-subject.ts) when a form resumes a request that
 * already has a subject, and right before the step that releases anything.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { IdpError } from '../core/errors.js';
import { setContentSecurityPolicy } from '../web/content-security-policy.js';
import { eventOf, formOf, type FormFields } from '../core/form-fields.js';
import type { HttpExchange } from '../core/http-exchange.js';
import type { RelyingParty } from '../relying-party/relying-party.js';
import { formBinding, requireSession, saveSession } from '../session/idp-session.js';
import { endWithEvent, recordingOutages } from './outcomes.js';
import { isAuthenticated, type ProfileRequestContext } from '../core/request-context.js';
import type { DryRunResult, ProfilePipeline } from '../frontend/protocol-front-end.js';
import type { ProfileServices } from './profile-services.js';
import { recheckSubject } from './recheck-subject.js';
import { authenticateStep, type AuthenticateServices } from './steps/authenticate.js';
import type { ProfileStepHandler, StepInput, StepResult } from './steps/profile-step.js';
import {
  resolveAttributesStep,
  type ResolveAttributesServices,
} from './steps/resolve-attributes.js';
import { respondStep, type RespondServices } from './steps/respond.js';
import { runInterceptsStep, type RunInterceptsServices } from './steps/run-intercepts.js';

/** Everything the steps use between them. */
export type ProfileStepServices = AuthenticateServices &
  ResolveAttributesServices &
  RunInterceptsServices &
  RespondServices;

/** The steps in pipeline order, each given only the services it uses. */
export function profileSteps(services: ProfileStepServices): readonly ProfileStepHandler[] {
  return [
    authenticateStep(services),
    resolveAttributesStep(services),
    runInterceptsStep(services),
    respondStep(services),
  ];
}

/** Executions created from a relying party's POST before the browser's cookie was visible. */
const INBOUND_VIEW = '(inbound)';
const UNBOUND_SESSION = '-';
/** The shape of the keys the store hands out (sqlite-flow-execution-store.ts); anything else is stale. */
const EXECUTION_KEY = /^e[A-Za-z0-9_-]{24}$/;

export class ProfileFlow implements ProfilePipeline {
  constructor(
    private readonly services: ProfileServices,
    /** In pipeline order (profileSteps). */
    private readonly steps: readonly ProfileStepHandler[],
  ) {}

  /** A front-end decoded a new request from a relying party. */
  async start(exchange: HttpExchange, prc: ProfileRequestContext): Promise<void> {
    await this.advance(exchange, prc, undefined);
  }

  /**
   * A cross-site POST from a relying party carries no SameSite=Lax cookie; park the decoded
   * request and send the browser back with a GET, which does carry the IdP session cookie.
   */
  async parkInbound(exchange: HttpExchange, prc: ProfileRequestContext): Promise<void> {
    const key = await this.services.executions.save(
      { sessionId: UNBOUND_SESSION, csrfToken: '', view: INBOUND_VIEW, context: prc },
      this.services.props.flowTimeoutMs,
    );
    exchange.res.redirect(303, `${pathOf(exchange)}?execution=${encodeURIComponent(key)}`);
  }

  /**
   * Runs the pipeline up to the response for a passive request, showing nothing and sending
   * nothing: who the request would be for, or the event (and step) that stops it. OIDC's
   * prompt=none is answered from this.
   */
  async dryRun(exchange: HttpExchange, prc: ProfileRequestContext): Promise<DryRunResult> {
    const rp = this.services.relyingParties.get(prc.relyingPartyId);
    if (!rp) return { event: 'UnknownRelyingParty', step: prc.step };
    const input: StepInput = { exchange, prc: { ...prc, passive: true }, rp };
    for (const handler of this.steps) {
      if (handler.releases) {
        const recheck = await recheckSubject(exchange.req, input.prc, this.services);
        if ('event' in recheck) return { event: recheck.event, step: handler.step };
        if ('stale' in recheck) return { event: 'NoPassive', step: 'authenticate' };
        if (!isAuthenticated(input.prc))
          throw new IdpError('INTERNAL', 'the pipeline reached a release without a subject');
        return { ready: true, subject: input.prc.subject };
      }
      input.prc.step = handler.step;
      const result = await handler.run(input);
      if ('event' in result) return { event: result.event, step: handler.step };
      if (!('next' in result)) return { event: 'NoPassive', step: handler.step };
    }
    throw new IdpError('INTERNAL', 'the profile pipeline has no respond step');
  }

  /** The browser came back to a profile endpoint with ?execution=<key>. */
  async continue(exchange: HttpExchange, key: string): Promise<void> {
    const { req } = exchange;
    if (req.method !== 'GET' && req.method !== 'POST') {
      exchange.res.set('Allow', 'GET, POST');
      throw new IdpError(
        'METHOD_NOT_ALLOWED',
        `a form is resumed with GET or POST, not ${req.method}`,
      );
    }
    if (!EXECUTION_KEY.test(key)) throw stale();
    return req.method === 'GET'
      ? this.continueInbound(exchange, key)
      : this.continueForm(exchange, key);
  }

  /** A GET: the browser follows parkInbound's redirect, now with its session cookie. */
  private async continueInbound(exchange: HttpExchange, key: string): Promise<void> {
    const parked = await this.services.executions.take(key, UNBOUND_SESSION);
    if (!parked || parked.view !== INBOUND_VIEW) throw stale();
    return this.advance(exchange, parked.context, undefined);
  }

  /** A POST: a form the pipeline showed, bound to this browser's session and carrying its CSRF token. */
  private async continueForm(exchange: HttpExchange, key: string): Promise<void> {
    const { req } = exchange;
    // Read the form before taking the execution, so a malformed post loses nothing.
    const form = formOf(req.body);
    const binding = req.session?.formBinding;
    const execution = binding ? await this.services.executions.take(key, binding) : undefined;
    if (!execution || execution.view === INBOUND_VIEW) throw stale();
    const prc = execution.context;
    if (!sameToken(form[this.services.props.csrfParameter], execution.csrfToken)) {
      return endWithEvent(exchange, prc, 'InvalidCSRFToken', this.services);
    }
    await recordingOutages(exchange, prc, this.services, async () => {
      // A form that resumes a request with a subject (the impersonate form): is that still so?
      const recheck = await recheckSubject(req, prc, this.services);
      if ('stale' in recheck) throw stale(recheck.stale);
      if ('event' in recheck) return endWithEvent(exchange, prc, recheck.event, this.services);
      await this.advance(exchange, prc, { event: eventOf(form), form });
    });
  }

  private async advance(
    exchange: HttpExchange,
    prc: ProfileRequestContext,
    answer: { event: string; form: FormFields } | undefined,
  ): Promise<void> {
    const rp = this.services.relyingParties.get(prc.relyingPartyId);
    if (!rp)
      throw new IdpError(
        'UNKNOWN_RELYING_PARTY',
        `relying party ${prc.relyingPartyId} is no longer configured`,
      );
    const input: StepInput = { exchange, prc, rp };
    let index = this.steps.findIndex((s) => s.step === prc.step);
    let result: StepResult;
    const current = this.steps[index];
    if (!current) throw new IdpError('INTERNAL', `the request is at an unknown step ${prc.step}`);
    if (answer) {
      if (!current.resume) return endWithEvent(exchange, prc, 'InvalidEvent', this.services);
      result = await current.resume(input, answer.event, answer.form);
    } else {
      result = await current.run(input);
    }
    while ('next' in result) {
      index += 1;
      const handler = this.steps[index];
      if (!handler)
        throw new IdpError('INTERNAL', 'the profile pipeline has no step after the last one');
      prc.step = handler.step;
      if (handler.releases) {
        const recheck = await recheckSubject(exchange.req, prc, this.services);
        if ('stale' in recheck) throw stale(recheck.stale);
        if ('event' in recheck) {
          result = recheck;
          break;
        }
      }
      result = await handler.run(input);
    }
    if ('view' in result) return this.show(exchange, prc, rp, result.view, result.model);
    if ('event' in result) return endWithEvent(exchange, prc, result.event, this.services);
  }

  private async show(
    exchange: HttpExchange,
    prc: ProfileRequestContext,
    rp: RelyingParty,
    view: string,
    model: Record<string, unknown>,
  ): Promise<void> {
    const { req, res } = exchange;
    // The session must exist, with its cookie, before a form is bound to it. Saved now rather than
    // when the response ends, so a store that fails stops the request here, with an error page —
    // when there is something to save: a session already holding its form binding is stored.
    const session = requireSession(req);
    const unsaved = session.createdAt === undefined || session.formBinding === undefined;
    session.createdAt ??= Date.now();
    const binding = formBinding(req);
    if (unsaved) await saveSession(req);
    const csrfToken = randomBytes(20).toString('base64url');
    const key = await this.services.executions.save(
      { sessionId: binding, csrfToken, view, context: prc },
      this.services.props.flowTimeoutMs,
    );
    res.set('Cache-Control', 'no-store');
    setContentSecurityPolicy(
      res,
      this.services.frontEnds.get(prc.frontEnd)?.formTargets?.(prc) ?? [],
    );
    await this.services.views.render(res, view, {
      ...model,
      relyingParty: { id: rp.id, displayName: rp.displayName },
      flowExecutionUrl: `${pathOf(exchange)}?execution=${encodeURIComponent(key)}`,
      csrf: { parameterName: this.services.props.csrfParameter, token: csrfToken },
    });
  }
}

function stale(detail = 'the form was already submitted or has expired'): IdpError {
  return new IdpError('FLOW_EXECUTION_STALE', detail);
}

function pathOf({ req }: HttpExchange): string {
  return req.originalUrl.split('?')[0]!;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
