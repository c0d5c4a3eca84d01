/**
 * The intercept framework: flows run in the relying party's order, a flow can be added without
 * touching the pipeline, unknown ids and undeclared events fail as Shibboleth's do, and passive
 * requests never show a view.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IdpEvent } from '../../src/core/events.js';
import type {
  InterceptContext,
  InterceptFlow,
  InterceptOutcome,
} from '../../src/intercept/intercept-flow.js';
import { InterceptRunner } from '../../src/intercept/intercept-runner.js';
import { createProcessLog } from '../../src/logging/process-log.js';
import type { ResolvedContext } from '../../src/core/request-context.js';
import type { RelyingParty } from '../../src/relying-party/relying-party.js';

const log = createProcessLog({
  file: path.join(mkdtempSync(path.join(tmpdir(), 'runner-')), 'p.log'),
  fileLevel: 'DEBUG',
  consoleLevel: 'ERROR',
  console: false,
});

/** A flow that records that it ran and ends as told; with a view, it waits for one answer. */
function testFlow(
  name: string,
  behaviour: { end?: IdpEvent; view?: boolean; events?: IdpEvent[]; active?: boolean },
  trace: string[],
): InterceptFlow {
  return {
    id: `intercept/${name}`,
    events: behaviour.events ?? [],
    isActive: () => behaviour.active ?? true,
    start: (): Promise<InterceptOutcome> => {
      trace.push(`${name}:start`);
      return Promise.resolve(
        behaviour.view
          ? { view: `intercept/${name}`, model: {}, state: { n: 1 } }
          : { end: behaviour.end ?? 'proceed' },
      );
    },
    resume: (_ctx, state, event): Promise<InterceptOutcome> => {
      trace.push(`${name}:resume:${event}:${JSON.stringify(state)}`);
      return Promise.resolve({
        end: event === 'accept' ? 'proceed' : (behaviour.end ?? 'TermsRejected'),
      });
    },
  };
}

function context(flows: string[], passive = false): InterceptContext {
  const relyingParty = {
    id: 'rp',
    displayName: 'RP',
    postAuthenticationFlows: flows,
    declaredAt: 'test',
    kind: 'saml',
  } as unknown as RelyingParty;
  const prc = {
    relyingPartyId: 'rp',
    passive,
    audit: {},
    inbound: {},
  } as unknown as ResolvedContext;
  return { prc, relyingParty, audit: () => Promise.resolve() };
}

describe('InterceptRunner', () => {
  it('runs the flows in the configured order and proceeds when all proceed', async () => {
    const trace: string[] = [];
    const runner = new InterceptRunner([testFlow('b', {}, trace), testFlow('a', {}, trace)], log);
    const ctx = context(['a', 'b']);
    expect(runner.begin(ctx.prc, ctx.relyingParty)).toBe(true);
    expect(await runner.run(ctx)).toEqual({ event: 'proceed' });
    expect(trace).toEqual(['a:start', 'b:start']);
  });

  it('waits on a view and resumes the same flow with its state, then continues with the next', async () => {
    const trace: string[] = [];
    const runner = new InterceptRunner(
      [
        testFlow('terms', { view: true, events: ['TermsRejected'] }, trace),
        testFlow('after', {}, trace),
      ],
      log,
    );
    const ctx = context(['terms', 'after']);
    runner.begin(ctx.prc, ctx.relyingParty);
    expect(await runner.run(ctx)).toEqual({ view: 'intercept/terms', model: {} });
    // The context survives a round trip through JSON, as it does in the flow-execution store.
    const stored = { ...ctx, prc: JSON.parse(JSON.stringify(ctx.prc)) as ResolvedContext };
    expect(await runner.resume(stored, 'accept', {})).toEqual({ event: 'proceed' });
    expect(trace).toEqual(['terms:start', 'terms:resume:accept:{"n":1}', 'after:start']);
  });

  it('ends the stage with a declared event, skipping the rest', async () => {
    const trace: string[] = [];
    const runner = new InterceptRunner(
      [
        testFlow('terms', { view: true, events: ['TermsRejected'] }, trace),
        testFlow('after', {}, trace),
      ],
      log,
    );
    const ctx = context(['terms', 'after']);
    runner.begin(ctx.prc, ctx.relyingParty);
    await runner.run(ctx);
    expect(await runner.resume(ctx, 'reject', {})).toEqual({ event: 'TermsRejected' });
    expect(trace).not.toContain('after:start');
  });

  it('turns an event the flow did not declare into InvalidEvent', async () => {
    // Not an event at all (a flow written without the types): the runner still checks at run time.
    const runner = new InterceptRunner(
      [testFlow('odd', { end: 'SomethingMadeUp' as IdpEvent }, [])],
      log,
    );
    const ctx = context(['odd']);
    runner.begin(ctx.prc, ctx.relyingParty);
    expect(await runner.run(ctx)).toEqual({ event: 'InvalidEvent' });
  });

  it('refuses to begin when a flow id is unknown (InvalidProfileConfiguration)', () => {
    const runner = new InterceptRunner([testFlow('a', {}, [])], log);
    const ctx = context(['a', 'nope']);
    expect(runner.unknownFlows(ctx.relyingParty)).toEqual(['nope']);
    expect(runner.begin(ctx.prc, ctx.relyingParty)).toBe(false);
  });

  it('skips an inactive flow', async () => {
    const trace: string[] = [];
    const runner = new InterceptRunner(
      [testFlow('off', { active: false, view: true }, trace), testFlow('on', {}, trace)],
      log,
    );
    const ctx = context(['off', 'on']);
    runner.begin(ctx.prc, ctx.relyingParty);
    expect(await runner.run(ctx)).toEqual({ event: 'proceed' });
    expect(trace).toEqual(['on:start']);
  });

  it('ends a passive request with NoPassive instead of showing a view', async () => {
    const runner = new InterceptRunner([testFlow('terms', { view: true }, [])], log);
    const ctx = context(['terms'], true);
    runner.begin(ctx.prc, ctx.relyingParty);
    expect(await runner.run(ctx)).toEqual({ event: 'NoPassive' });
  });
});
