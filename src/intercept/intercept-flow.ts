/**
 * Extension point: a post-authentication intercept flow (Shibboleth's profile intercept flows).
 * A flow runs after authentication and attribute resolution and before the response is built; it
 * ends with "proceed" or a named event, possibly after showing the browser one or more views.
 * Adding a flow means implementing this interface and registering it (see intercept-registry.ts);
 * the pipeline does not change.
 */
import { EVENTS, IDP_EVENTS, type IdpEvent } from '../core/events.js';
import type { Json, ResolvedContext } from '../core/request-context.js';
import type { FormFields } from '../core/form-fields.js';
import type { RelyingParty } from '../relying-party/relying-party.js';

export const INTERCEPT_PREFIX = 'intercept/';
export const PROCEED = 'proceed';

/** End-state events every intercept flow may signal (Shibboleth's intercept-abstract-flow.xml; see events.ts). */
export const COMMON_INTERCEPT_EVENTS: readonly IdpEvent[] = IDP_EVENTS.filter(
  (event) => EVENTS[event].intercept,
);

/** Audit fields a flow adds to a record of its own, field id → value(s); empty values are left out. */
export type InterceptAuditFields = Readonly<Record<string, string | string[] | undefined>>;

export interface InterceptContext {
  /** The request; flows may change its subject, attributes and audit fields. */
  readonly prc: ResolvedContext;
  readonly relyingParty: RelyingParty;
  /**
   * Writes an audit record of this request — its own fields (client, relying party, user,
   * transaction, the request's audit fields) and `fields` over them — durably, before the flow
   * answers; it rejects when the record cannot be written, and the request then fails closed.
   */
  readonly audit: (fields: InterceptAuditFields) => Promise<void>;
}

export type InterceptOutcome =
  /** The flow is finished: "proceed" or an event. */
  | { readonly end: typeof PROCEED | IdpEvent }
  /**
   * Show a view and wait for the browser; `state`, what the flow wants to remember meanwhile (it
   * is parked with the request, so JSON), comes back to resume() — null when the flow gave none.
   */
  | { readonly view: string; readonly model: Record<string, unknown>; readonly state?: Json };

export interface InterceptFlow {
  /** "intercept/<name>"; relying parties list it as "<name>". */
  readonly id: string;
  /** Events this flow may end with besides proceed and the common ones; others become InvalidEvent. */
  readonly events: readonly IdpEvent[];
  /** When false the flow is skipped for this request (default: always active). */
  isActive?(ctx: InterceptContext): boolean;
  start(ctx: InterceptContext): Promise<InterceptOutcome>;
  /** The browser submitted the flow's view with `event` (from the _eventId_<name> button); `state` is the view's. */
  resume(
    ctx: InterceptContext,
    state: Json,
    event: string,
    form: FormFields,
  ): Promise<InterceptOutcome>;
}
