/**
 * intercept/impersonate — Shibboleth's impersonate intercept, as one state machine:
 *
 *   CheckGeneralAccess ──deny──▶ proceed (silently, no view)
 *        │allow
 *   ImpersonateView ──proceed / "Continue normally"──▶ proceed
 *        │impersonate
 *   CheckForImpersonation ──empty name──▶ proceed   (also: only white space)
 *        │
 *   CanonicalizeName ──invalid──▶ ImpersonateView (with the reason)      [not in Shibboleth]
 *        │          ──own name──▶ proceed                               [not in Shibboleth]
 *   CheckSpecificAccess ──deny──▶ ImpersonationViolation
 *        │allow
 *   DoImpersonate ──no such account──▶ UnknownImpersonationTarget         [not in Shibboleth]
 *        │  drop attributes; impersonatingPrincipalName := real; principalName := target;
 *        │  audit uu := real; resolve with label intercept/impersonate; filter for the RP
 *        ▼
 *     proceed
 *
 * Both policy checks see the real user and their unfiltered attributes. Shibboleth takes the typed
 * name raw; here it is canonicalized first (trim, NFKC, the directory's case rule) and names that
 * are wildcards, contain control characters, are too long or imitate another script are refused,
 * so every policy decision is about exactly one account.
 */
import type { AccessControlService } from '../../access/access-control.js';
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import { AuditField } from '../../audit/audit-fields.js';
import type { UserDirectory } from '../../directory/user-directory.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { quoted } from '../../logging/process-log.js';
import type { Json } from '../../core/request-context.js';
import type { FormFields } from '../../core/form-fields.js';
import { PROCEED, type InterceptContext, type InterceptFlow, type InterceptOutcome } from '../intercept-flow.js';

export const IMPERSONATE_FLOW_ID = 'intercept/impersonate';
export const IMPERSONATE_OPERATION = 'impersonate';
export const IMPERSONATE_RESOLUTION_LABEL = 'intercept/impersonate';
export const IMPERSONATABLE_USERNAMES = 'impersonatableUsernames';

export interface ImpersonateSettings {
  readonly generalPolicy: string;
  readonly specificPolicy: string;
}

export interface ImpersonateServices {
  readonly accessControl: AccessControlService;
  readonly directory: UserDirectory;
  readonly resolver: AttributeResolver;
  readonly filter: AttributeFilter;
  /** Category net.shibboleth.idp.profile.interceptor, as in Shibboleth. */
  readonly log: ProcessLog;
}

/** What the form remembers between showing and submission. */
interface ViewState {
  readonly [key: string]: Json;
}

type Transition = { readonly to: StateName; readonly data?: StateData } | InterceptOutcome;
type StateName =
  | 'CheckGeneralAccess'
  | 'ImpersonateView'
  | 'CheckForImpersonation'
  | 'CanonicalizeName'
  | 'CheckSpecificAccess'
  | 'DoImpersonate';

interface StateData {
  /** The raw value of the principal field. */
  readonly principalToSpoof?: string;
  /** The canonical account name. */
  readonly target?: string;
  /** Message key explaining why the typed name was refused. */
  readonly error?: string;
}

export class ImpersonateFlow implements InterceptFlow {
  readonly id = IMPERSONATE_FLOW_ID;
  readonly events = ['ImpersonationViolation', 'UnknownImpersonationTarget'] as const;
  /** Shibboleth leaves this true although the flow renders a view; a view needs a browser. */
  readonly nonBrowserSupported = false;

  /** Each state, in flow order; a state returns the next state, a view, or the end event. */
  private readonly states: Record<StateName, (ctx: InterceptContext, data: StateData) => Promise<Transition>> = {
    CheckGeneralAccess: (ctx) => Promise.resolve(this.checkGeneralAccess(ctx)),
    ImpersonateView: (ctx, data) => Promise.resolve(this.impersonateView(ctx, data)),
    CheckForImpersonation: (_ctx, data) =>
      Promise.resolve((data.principalToSpoof ?? '') === '' ? { end: PROCEED } : { to: 'CanonicalizeName', data }),
    CanonicalizeName: (ctx, data) => Promise.resolve(this.canonicalizeName(ctx, data)),
    CheckSpecificAccess: (ctx, data) => Promise.resolve(this.checkSpecificAccess(ctx, data)),
    DoImpersonate: (ctx, data) => this.doImpersonate(ctx, data),
  };

  constructor(
    private readonly settings: ImpersonateSettings,
    private readonly services: ImpersonateServices,
  ) {}

  start(ctx: InterceptContext): Promise<InterceptOutcome> {
    return this.runFrom('CheckGeneralAccess', ctx, {});
  }

  resume(ctx: InterceptContext, _state: Json, event: string, form: FormFields): Promise<InterceptOutcome> {
    // ImpersonateView's transitions: "impersonate" → CheckForImpersonation, anything else → proceed.
    if (event !== 'impersonate') return Promise.resolve({ end: PROCEED });
    return this.runFrom('CheckForImpersonation', ctx, { principalToSpoof: form.principal ?? '' });
  }

  private async runFrom(state: StateName, ctx: InterceptContext, data: StateData): Promise<InterceptOutcome> {
    let next: Transition = { to: state, data };
    while ('to' in next) next = await this.states[next.to](ctx, next.data ?? {});
    return next;
  }

  private checkGeneralAccess(ctx: InterceptContext): Transition {
    const decision = this.check(ctx, this.settings.generalPolicy, '');
    return decision ? { to: 'ImpersonateView' } : { end: PROCEED };
  }

  private impersonateView(ctx: InterceptContext, data: StateData): Transition {
    const choices = ctx.prc.attributes?.unfiltered[IMPERSONATABLE_USERNAMES];
    const state: ViewState = {};
    return {
      view: 'intercept/impersonate',
      model: {
        relyingParty: { id: ctx.relyingParty.id, displayName: ctx.relyingParty.displayName },
        principalName: ctx.prc.subject.principalName,
        choices: choices && choices.length > 0 ? [...choices] : undefined,
        error: data.error,
        typed: data.principalToSpoof,
      },
      state,
    };
  }

  private canonicalizeName(ctx: InterceptContext, data: StateData): Transition {
    const real = ctx.prc.subject.principalName;
    const checked = this.services.directory.canonicalName(data.principalToSpoof!);
    if (!checked.ok && checked.problem === 'empty') return { end: PROCEED }; // only white space
    if (!checked.ok) {
      this.services.log.warn(
        `Impersonation request by principal ${quoted(real)} to relying party ${quoted(ctx.relyingParty.id)} refused: requested name ${quoted(data.principalToSpoof!)} is not an account name (${checked.problem})`,
      );
      return { to: 'ImpersonateView', data: { ...data, error: `impersonate.invalid-name.${checked.problem}` } };
    }
    if (checked.name === real) return { end: PROCEED };
    return { to: 'CheckSpecificAccess', data: { ...data, target: checked.name } };
  }

  private checkSpecificAccess(ctx: InterceptContext, data: StateData): Transition {
    if (this.check(ctx, this.settings.specificPolicy, data.target!)) return { to: 'DoImpersonate', data };
    this.services.log.warn(
      `Unauthorized impersonation attempt by principal ${quoted(ctx.prc.subject.principalName)} as ${quoted(data.target!)} to relying party ${quoted(ctx.relyingParty.id)}`,
    );
    return { end: 'ImpersonationViolation' };
  }

  private async doImpersonate(ctx: InterceptContext, data: StateData): Promise<Transition> {
    const { prc, relyingParty } = ctx;
    const subject = prc.subject;
    const target = data.target!;
    const resolution = await this.services.resolver.resolve({ principal: target, label: IMPERSONATE_RESOLUTION_LABEL });
    if (!resolution.principalFound) {
      this.services.log.warn(
        `Impersonation by principal ${quoted(subject.principalName)} as ${quoted(target)} to relying party ${quoted(relyingParty.id)} refused: no such account`,
      );
      return { end: 'UnknownImpersonationTarget' };
    }
    this.services.log.info(
      `Impersonation by principal ${quoted(subject.principalName)} as ${quoted(target)} to relying party ${quoted(relyingParty.id)}`,
    );
    subject.impersonatingPrincipalName = subject.principalName;
    subject.principalName = target;
    prc.audit[AuditField.IMPERSONATING_USERNAME] = [subject.impersonatingPrincipalName];
    prc.attributes = {
      unfiltered: resolution.attributes,
      filtered: this.services.filter.filter(resolution.attributes, relyingParty.id),
    };
    return { end: PROCEED };
  }

  /** CheckAccess: the decision always sees the real user (the swap has not happened yet). */
  private check(ctx: InterceptContext, policy: string, resource: string): boolean {
    const { prc, relyingParty } = ctx;
    return this.services.accessControl.getInstance(policy).checkAccess({
      subject: prc.subject.principalName,
      attributes: prc.attributes?.unfiltered ?? {},
      relyingParty: relyingParty.id,
      operation: IMPERSONATE_OPERATION,
      resource,
    }).allowed;
  }
}
