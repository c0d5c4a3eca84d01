/**
 * Runs a relying party's postAuthenticationFlows in order (Shibboleth's intercept dispatcher
 * subflow): select the next active flow, run it, and on "proceed" move on; any other event ends the
 * intercept stage with that event. An id with no registered flow fails the request with
 * InvalidProfileConfiguration; an event the flow did not declare becomes InvalidEvent; a flow that
 * wants to show a view during a passive request ends it with NoPassive.
 */
import type { IdpEvent } from '../core/events.js';
import type { ProcessLog } from '../logging/process-log.js';
import { quoted } from '../logging/process-log.js';
import type { InterceptState, ProfileRequestContext } from '../core/request-context.js';
import type { FormFields } from '../core/form-fields.js';
import type { RelyingParty } from '../relying-party/relying-party.js';
import {
  COMMON_INTERCEPT_EVENTS,
  INTERCEPT_PREFIX,
  PROCEED,
  type InterceptContext,
  type InterceptFlow,
  type InterceptOutcome,
} from './intercept-flow.js';

export type InterceptResult =
  | { readonly event: typeof PROCEED | IdpEvent }
  | { readonly view: string; readonly model: Record<string, unknown> };

export class InterceptRunner {
  private readonly flows: ReadonlyMap<string, InterceptFlow>;

  constructor(
    flows: readonly InterceptFlow[],
    private readonly log: ProcessLog,
  ) {
    this.flows = new Map(flows.map((f) => [f.id, f]));
  }

  /** Ids of a relying party's flows that name no registered flow. */
  unknownFlows(rp: RelyingParty): string[] {
    return rp.postAuthenticationFlows.filter((id) => !this.flows.has(INTERCEPT_PREFIX + id));
  }

  /** Says at start-up which relying parties name flows that do not exist (their requests will fail). */
  reportUnknownFlows(relyingParties: readonly RelyingParty[]): void {
    for (const rp of relyingParties) {
      const unknown = this.unknownFlows(rp);
      if (unknown.length > 0)
        this.log.error(
          `${rp.declaredAt}: ${rp.id}: postAuthenticationFlows names unknown flow(s) ${unknown.join(', ')}; its requests will fail with InvalidProfileConfiguration`,
        );
    }
  }

  /** Sets up the intercept stage; false (InvalidProfileConfiguration) when a flow id is unknown. */
  begin(prc: ProfileRequestContext, rp: RelyingParty): boolean {
    const unknown = this.unknownFlows(rp);
    if (unknown.length > 0) {
      this.log.error(
        `Relying party ${quoted(rp.id)} (${rp.declaredAt}) lists unknown intercept flow(s) ${unknown.map(quoted).join(', ')}`,
      );
      return false;
    }
    prc.intercept = { remaining: rp.postAuthenticationFlows.map((id) => INTERCEPT_PREFIX + id) };
    return true;
  }

  /** Runs flows until one shows a view or all are done. */
  async run(ctx: InterceptContext): Promise<InterceptResult> {
    const state = ctx.prc.intercept;
    if (!state) return { event: 'InvalidProfileContext' };
    while (state.remaining.length > 0) {
      const flow = this.flows.get(state.remaining[0]!)!;
      state.remaining.shift();
      if (flow.isActive && !flow.isActive(ctx)) continue;
      const outcome = await flow.start(ctx);
      const result = this.settle(ctx, state, flow, outcome);
      if (result) return result;
    }
    return { event: PROCEED };
  }

  /** The browser answered the current flow's view. */
  async resume(ctx: InterceptContext, event: string, form: FormFields): Promise<InterceptResult> {
    const state = ctx.prc.intercept;
    const current = state?.current;
    const flow = current && this.flows.get(current.flowId);
    if (!state || !current || !flow) return { event: 'InvalidProfileContext' };
    state.current = undefined;
    const result = this.settle(
      ctx,
      state,
      flow,
      await flow.resume(ctx, current.state, event, form),
    );
    return result ?? this.run(ctx);
  }

  /** undefined = the flow proceeded, go on with the next one. */
  private settle(
    ctx: InterceptContext,
    state: InterceptState,
    flow: InterceptFlow,
    outcome: InterceptOutcome,
  ): InterceptResult | undefined {
    if ('view' in outcome) {
      if (ctx.prc.passive) return { event: 'NoPassive' };
      state.current = { flowId: flow.id, state: outcome.state ?? null };
      return { view: outcome.view, model: outcome.model };
    }
    if (outcome.end === PROCEED) return undefined;
    if (!flow.events.includes(outcome.end) && !COMMON_INTERCEPT_EVENTS.includes(outcome.end)) {
      this.log.warn(
        `Intercept flow ${flow.id} signalled undeclared event ${quoted(outcome.end)}; treating it as InvalidEvent`,
      );
      return { event: 'InvalidEvent' };
    }
    return { event: outcome.end };
  }
}
