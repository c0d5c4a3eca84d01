/**
 * The pipeline itself, driven by fake steps: order, views and single-use executions, CSRF, the
 * stage each step needs, events ending the request locally or at the relying party, and the
 * re-check of the subject before a step that releases anything. The real steps are tested through
 * the IdP in the SAML and OIDC suites; here nothing but ProfileFlow is real.
 */
import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { IdpError } from '../../src/core/errors.js';
import {
  isAuthenticated,
  isResolved,
  type ProfileRequestContext,
} from '../../src/core/request-context.js';
import type { AccountState } from '../../src/directory/user-directory.js';
import { ProfileFlow } from '../../src/profile/profile-flow.js';
import type { ProfileServices } from '../../src/profile/profile-services.js';
import {
  anyStage,
  atStage,
  NEXT,
  type ProfileStepHandler,
} from '../../src/profile/steps/profile-step.js';
import type { FlowExecution } from '../../src/session/flow-execution-store.js';

const LOGIN = { principalName: 'alice', authnInstant: Date.now(), authnMethod: 'test' };

/** What the fake world saw happen. */
interface Trace {
  steps: string[];
  views: { view: string; model: Record<string, unknown> }[];
  errorPages: { event: string; status: number }[];
  errorResponses: string[];
  audited: string[];
  released: string[];
}

function world(
  options: { accountState?: AccountState; localEvents?: Record<string, boolean> } = {},
) {
  const trace: Trace = {
    steps: [],
    views: [],
    errorPages: [],
    errorResponses: [],
    audited: [],
    released: [],
  };
  const parked = new Map<string, Omit<FlowExecution, 'key'>>();
  let keys = 0;
  const log = {
    warn: () => undefined,
    info: () => undefined,
    error: () => undefined,
    child: () => log,
  };
  const services = {
    props: {
      csrfParameter: 'csrf_token',
      flowTimeoutMs: 60_000,
      session: { maxLifetimeMs: 3_600_000 },
    },
    relyingParties: {
      get: (id: string) => (id === 'rp' ? { id: 'rp', displayName: 'RP' } : undefined),
    },
    directory: { accountState: () => Promise.resolve(options.accountState ?? 'active') },
    executions: {
      save: (execution: Omit<FlowExecution, 'key'>) => {
        const key = `e${String(++keys).padStart(24, '0')}`;
        parked.set(key, structuredClone(execution));
        return Promise.resolve(key);
      },
      take: (key: string, sessionId: string) => {
        const execution = parked.get(key);
        if (!execution || execution.sessionId !== sessionId) return Promise.resolve(undefined);
        parked.delete(key);
        return Promise.resolve({ ...execution, key });
      },
    },
    frontEnds: new Map([
      [
        'fake',
        {
          respondError: (_exchange: unknown, _prc: unknown, event: string) => {
            trace.errorResponses.push(event);
            return Promise.resolve();
          },
          respond: () => Promise.resolve(),
        },
      ],
    ]),
    audit: {
      record: (fields: Map<string, string[]>) => {
        trace.audited.push(fields.get('e')?.[0] ?? '?');
        return Promise.resolve();
      },
    },
    localEvents: new Map(
      Object.entries(
        options.localEvents ?? {
          ContextCheckDenied: true,
          InvalidEvent: false,
          InvalidCSRFToken: false,
          AccountDisabled: true,
        },
      ),
    ),
    views: {
      render: (_res: Response, view: string, model: Record<string, unknown>) => {
        trace.views.push({ view, model });
        return Promise.resolve();
      },
      renderError: (_res: Response, event: string, status: number) => {
        trace.errorPages.push({ event, status });
        return Promise.resolve();
      },
    },
    log,
  } as unknown as ProfileServices;
  return { services, trace, parked };
}

/** A browser with an IdP session holding alice's login, and the response it receives. */
function exchange(
  session: Record<string, unknown>,
  request: { method?: string; body?: unknown } = {},
) {
  const headers = new Map<string, string>();
  const req = {
    method: request.method ?? 'GET',
    body: request.body,
    originalUrl: '/idp/profile/test/SSO',
    ip: '127.0.0.1',
    sessionID: 'sid',
    session,
    get: () => undefined,
  } as unknown as Request;
  const res = {
    locals: { cspNonce: 'nonce' },
    set: (name: string, value: string) => {
      headers.set(name, value);
      return res;
    },
    setHeader: (name: string, value: string) => {
      headers.set(name, value);
      return res;
    },
    redirect: () => undefined,
  } as unknown as Response;
  return { req, res, headers };
}

function browserSession(): Record<string, unknown> {
  const session: Record<string, unknown> = { idp: LOGIN, createdAt: Date.now() };
  session.save = (done: (err?: Error) => void) => done();
  return session;
}

function request(): ProfileRequestContext {
  return {
    profile: 'Test/SSO',
    frontEnd: 'fake',
    relyingPartyId: 'rp',
    inbound: {},
    passive: false,
    forceAuthn: false,
    startTime: Date.now(),
    step: 'authenticate',
    audit: {},
  };
}

/** Fake steps in the pipeline's four places. */
function steps(
  trace: Trace,
  behaviour: { intercept?: 'view' | 'event' | 'next'; authenticate?: 'subject' | 'none' } = {},
): ProfileStepHandler[] {
  return [
    atStage(anyStage, {
      step: 'authenticate',
      run: ({ prc }) => {
        trace.steps.push('authenticate');
        if (behaviour.authenticate !== 'none') prc.subject = { ...LOGIN, sso: true };
        return Promise.resolve(NEXT);
      },
    }),
    atStage(isAuthenticated, {
      step: 'resolve-attributes',
      run: ({ prc }) => {
        trace.steps.push(`resolve:${prc.subject.principalName}`);
        prc.attributes = {
          unfiltered: { uid: [prc.subject.principalName] },
          filtered: { uid: [prc.subject.principalName] },
        };
        return Promise.resolve(NEXT);
      },
    }),
    atStage(isResolved, {
      step: 'intercept',
      run: () => {
        trace.steps.push('intercept');
        if (behaviour.intercept === 'view')
          return Promise.resolve({ view: 'question', model: { asked: true } });
        if (behaviour.intercept === 'event')
          return Promise.resolve({ event: 'ContextCheckDenied' });
        return Promise.resolve(NEXT);
      },
      resume: (_input, event, form) => {
        trace.steps.push(`intercept:resume:${event}:${form.answer ?? ''}`);
        return Promise.resolve(event === 'proceed' ? NEXT : { event: 'InvalidEvent' });
      },
    }),
    atStage(isResolved, {
      step: 'respond',
      releases: true,
      run: ({ prc }) => {
        trace.released.push(prc.subject.principalName);
        return Promise.resolve({ sent: true });
      },
    }),
  ];
}

describe('ProfileFlow with fake steps', () => {
  it('runs the steps in order and releases once, to the subject the steps established', async () => {
    const { services, trace } = world();
    const flow = new ProfileFlow(services, steps(trace));
    await flow.start(exchange(browserSession()), request());
    expect(trace.steps).toEqual(['authenticate', 'resolve:alice', 'intercept']);
    expect(trace.released).toEqual(['alice']);
  });

  it('parks the request behind a view and resumes the same step once, with the posted event and fields', async () => {
    const { services, trace, parked } = world();
    const flow = new ProfileFlow(services, steps(trace, { intercept: 'view' }));
    const session = browserSession();
    await flow.start(exchange(session), request());
    expect(trace.views).toHaveLength(1);
    expect(trace.released).toEqual([]);
    const { flowExecutionUrl, csrf } = trace.views[0]!.model as {
      flowExecutionUrl: string;
      csrf: { token: string };
    };
    const key = new URL(flowExecutionUrl, 'https://idp').searchParams.get('execution')!;
    expect(parked.has(key)).toBe(true);

    const post = { csrf_token: csrf.token, _eventId_proceed: 'Go', answer: '42' };
    await flow.continue(exchange(session, { method: 'POST', body: post }), key);
    expect(trace.steps.slice(-1)).toEqual(['intercept:resume:proceed:42']);
    expect(trace.released).toEqual(['alice']);

    // The execution was taken: the same post again is stale.
    await expect(
      flow.continue(exchange(session, { method: 'POST', body: post }), key),
    ).rejects.toMatchObject({ code: 'FLOW_EXECUTION_STALE' });
    expect(trace.released).toEqual(['alice']);
  });

  it('ends with InvalidCSRFToken when the post carries another token, and releases nothing', async () => {
    const { services, trace } = world();
    const flow = new ProfileFlow(services, steps(trace, { intercept: 'view' }));
    const session = browserSession();
    await flow.start(exchange(session), request());
    const { flowExecutionUrl } = trace.views[0]!.model as { flowExecutionUrl: string };
    const key = new URL(flowExecutionUrl, 'https://idp').searchParams.get('execution')!;
    await flow.continue(
      exchange(session, { method: 'POST', body: { csrf_token: 'forged', _eventId_proceed: 'Go' } }),
      key,
    );
    expect(trace.errorPages.map((p) => p.event)).toEqual(['InvalidCSRFToken']);
    expect(trace.released).toEqual([]);
  });

  it('ends a local event with an error page (audited when errors.yaml says so) and any other at the relying party', async () => {
    const local = world();
    await new ProfileFlow(local.services, steps(local.trace, { intercept: 'event' })).start(
      exchange(browserSession()),
      request(),
    );
    expect(local.trace.errorPages.map((p) => p.event)).toEqual(['ContextCheckDenied']);
    expect(local.trace.audited).toEqual(['ContextCheckDenied']);
    expect(local.trace.errorResponses).toEqual([]);

    const remote = world({ localEvents: {} });
    await new ProfileFlow(remote.services, steps(remote.trace, { intercept: 'event' })).start(
      exchange(browserSession()),
      request(),
    );
    expect(remote.trace.errorResponses).toEqual(['ContextCheckDenied']);
    expect(remote.trace.errorPages).toEqual([]);
  });

  it('refuses to run a step before its stage: a pipeline defect, not a release', async () => {
    const { services, trace } = world();
    const flow = new ProfileFlow(services, steps(trace, { authenticate: 'none' }));
    const error = await flow.start(exchange(browserSession()), request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdpError);
    expect(error).toMatchObject({ code: 'INTERNAL' });
    expect(trace.steps).toEqual(['authenticate']);
    expect(trace.released).toEqual([]);
  });

  it('re-checks the subject right before the releasing step: a disabled account gets AccountDisabled', async () => {
    const { services, trace } = world({ accountState: 'disabled' });
    await new ProfileFlow(services, steps(trace)).start(exchange(browserSession()), request());
    expect(trace.steps).toEqual(['authenticate', 'resolve:alice', 'intercept']);
    expect(trace.released).toEqual([]);
    expect(trace.errorPages.map((p) => p.event)).toEqual(['AccountDisabled']);
  });

  it('answers a dry run with the subject that would be released, without running the releasing step', async () => {
    const { services, trace } = world();
    const result = await new ProfileFlow(services, steps(trace)).dryRun(
      exchange(browserSession()),
      request(),
    );
    expect(result).toMatchObject({ ready: true, subject: { principalName: 'alice' } });
    expect(trace.released).toEqual([]);
  });
});
