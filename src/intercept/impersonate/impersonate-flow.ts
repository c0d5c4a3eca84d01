/**
 * intercept/impersonate — Shibboleth's impersonate intercept, as one state machine:
 *
 *   CheckGeneralAccess ──deny──▶ proceed (silently, no view)
 *        │allow                                       audit act=offer   [not in Shibboleth]
 *   ImpersonateView ──proceed / "Continue normally"──▶ proceed           (audit act=choose, self)
 *        │impersonate
 *   CheckForImpersonation ──empty name──▶ ImpersonateView ("Enter an account name"; act=refuse)
 *        │                                                    [Shibboleth proceeds as the user]
 *        │
 *   CanonicalizeName ──invalid──▶ ImpersonateView (with the reason; act=refuse) [not in Shibboleth]
 *        │          (only white space is invalid: the same as an empty name)
 *        │          ──own name──▶ proceed (act=choose, self)            [not in Shibboleth]
 *        │          ──reason refused──▶ ImpersonateView (act=refuse, InvalidImpersonationReason)
 *        │  (too long, control characters, missing where required, not the RP's pattern)
 *        │  audit ut := the name as typed, utc := the account it names, det reason=;  act=choose
 *   CheckSpecificAccess ──deny──▶ ImpersonationViolation
 *        │allow
 *   DoImpersonate ──protected account──▶ ProtectedImpersonationTarget     [not in Shibboleth]
 *        │       ──no such account──▶ UnknownImpersonationTarget         [not in Shibboleth]
 *        │  drop attributes; impersonation := {real, label, token limits}; principalName := target;
 *        │  audit uu := real; resolve with label intercept/impersonate; filter for the RP
 *        ▼
 *     proceed
 *
 * What each check answers, and their order, is the impersonation decision's
 * (impersonation-decision.ts): the states take its steps one at a time and do what the IdP does with
 * each answer — log, show the form, end with an event, swap the subject. Both policy checks see the
 * real user and their unfiltered attributes. Shibboleth takes the typed name raw; here it is
 * canonicalized first (trim, NFKC, the directory's case rule) and names that are wildcards, contain
 * control characters, are too long or imitate another script are refused, so every policy decision
 * is about exactly one account. An empty (or blank) name is refused too, where Shibboleth goes on
 * as the tester: pressing "Impersonate" and landing at the service as oneself would be a silent
 * surprise, so the form asks again ("Enter an account name"); "Continue normally" is that choice.
 */
import type { AccessControlService, AccessDecision } from '../../access/access-control.js';
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import { AuditField, auditDetails } from '../../audit/audit-fields.js';
import type { AccountNameProblem } from '../../directory/account-name.js';
import type { UserDirectory } from '../../directory/user-directory.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { quoted } from '../../logging/process-log.js';
import type { Json, TokenPolicy } from '../../core/request-context.js';
import type { FormFields } from '../../core/form-fields.js';
import {
  PROCEED,
  type InterceptContext,
  type InterceptFlow,
  type InterceptOutcome,
} from '../intercept-flow.js';
import {
  recordChoseImpersonation,
  recordChoseSelf,
  recordRefusedInput,
  recordOffer,
} from './impersonate-audit.js';
import { checkReason, reasonRule, type ReasonProblem } from './impersonation-reason.js';
import { impersonateViewModel, type ViewData } from './impersonate-view.js';
import { checkLevel } from './impersonation-level.js';
import type { ImpersonationLevel } from '../../relying-party/rp-impersonation.js';
import {
  ImpersonationDecision,
  type Impersonator,
  type NamedTarget,
  type PermittedTarget,
} from './impersonation-decision.js';

const IMPERSONATE_FLOW_ID = 'intercept/impersonate';
const IMPERSONATABLE_USERNAMES = 'impersonatableUsernames';

export interface ImpersonateSettings {
  readonly generalPolicy: string;
  readonly specificPolicy: string;
  /** Limits on the tokens issued for an impersonated subject (idp.oidc.impersonation.*). */
  readonly tokens: TokenPolicy;
  /** idp.impersonate.reason.*: the reason's limit, and whether one is required by default. */
  readonly reason: { readonly maxLength: number; readonly required: boolean };
}

export interface ImpersonateServices {
  readonly accessControl: AccessControlService;
  readonly directory: UserDirectory;
  readonly resolver: AttributeResolver;
  readonly filter: AttributeFilter;
  /** Category net.shibboleth.idp.profile.interceptor, as in Shibboleth. */
  readonly log: ProcessLog;
}

/** The form's fields as posted. */
interface FormInput {
  readonly typed: string;
  readonly reason: string;
  readonly level: string;
}

/** The tester's checked choice: how far to act as the target, and why. */
interface Choice {
  readonly level: ImpersonationLevel;
  readonly reason?: string;
}

/** What each state has to work with. */
interface StateData {
  readonly CheckGeneralAccess: Record<never, never>;
  /** After a refused name or reason: what was typed, and the message key saying why. */
  readonly ImpersonateView: ViewData;
  /** The raw values of the principal, reason and level fields. */
  readonly CheckForImpersonation: FormInput;
  readonly CanonicalizeName: FormInput;
  readonly CheckSpecificAccess: { readonly target: NamedTarget; readonly choice: Choice };
  readonly DoImpersonate: { readonly target: PermittedTarget; readonly choice: Choice };
}
type StateName = keyof StateData;
type Goto<S extends StateName = StateName> = {
  [K in S]: { readonly to: K; readonly data: StateData[K] };
}[S];
type Transition = Goto | InterceptOutcome;
type States = {
  readonly [S in StateName]: (
    ctx: InterceptContext,
    data: StateData[S],
  ) => Transition | Promise<Transition>;
};

export class ImpersonateFlow implements InterceptFlow {
  readonly id = IMPERSONATE_FLOW_ID;
  readonly events = [
    'ImpersonationViolation',
    'ProtectedImpersonationTarget',
    'UnknownImpersonationTarget',
  ] as const;
  private readonly decision: ImpersonationDecision<AccessDecision>;

  /** Each state, in flow order; a state returns the next state, a view, or the end event. */
  private readonly states: States = {
    CheckGeneralAccess: (ctx) =>
      this.decision.checkGeneralAccess(impersonator(ctx)).allowed
        ? { to: 'ImpersonateView', data: {} }
        : { end: PROCEED },
    ImpersonateView: (ctx, data) => this.impersonateView(ctx, data),
    CheckForImpersonation: (ctx, data) =>
      data.typed === '' ? this.refuseName(ctx, data, 'empty') : { to: 'CanonicalizeName', data },
    CanonicalizeName: (ctx, data) => this.canonicalizeName(ctx, data),
    CheckSpecificAccess: (ctx, { target, choice }) => this.checkSpecificAccess(ctx, target, choice),
    DoImpersonate: (ctx, { target, choice }) => this.doImpersonate(ctx, target, choice),
  };

  constructor(
    private readonly settings: ImpersonateSettings,
    private readonly services: ImpersonateServices,
  ) {
    const { accessControl, directory, resolver } = services;
    this.decision = new ImpersonationDecision({
      // The instance is asked for at each check: a policy reload takes effect for the next one.
      generalPolicy: (request) =>
        accessControl.getInstance(settings.generalPolicy).checkAccess(request),
      specificPolicy: (request) =>
        accessControl.getInstance(settings.specificPolicy).checkAccess(request),
      canonicalName: (typed) => directory.canonicalName(typed),
      resolve: (request) => resolver.resolve(request),
      isProtected: (account) => directory.isProtected(account),
    });
  }

  start(ctx: InterceptContext): Promise<InterceptOutcome> {
    return this.run(ctx, { to: 'CheckGeneralAccess', data: {} });
  }

  /** The view keeps no state of its own (the model is rebuilt from the request). */
  async resume(
    ctx: InterceptContext,
    _state: Json,
    event: string,
    form: FormFields,
  ): Promise<InterceptOutcome> {
    // ImpersonateView's transitions: "impersonate" → CheckForImpersonation, anything else → proceed.
    if (event === 'impersonate')
      return this.run(ctx, {
        to: 'CheckForImpersonation',
        data: { typed: form.principal ?? '', reason: form.reason ?? '', level: form.level ?? '' },
      });
    await recordChoseSelf(ctx);
    return { end: PROCEED };
  }

  private async run(ctx: InterceptContext, first: Goto): Promise<InterceptOutcome> {
    let next: Transition = first;
    while ('to' in next) next = await this.enter(ctx, next);
    return next;
  }

  private enter<S extends StateName>(
    ctx: InterceptContext,
    goto: Goto<S>,
  ): Transition | Promise<Transition> {
    return this.states[goto.to](ctx, goto.data);
  }

  private async impersonateView(
    ctx: InterceptContext,
    data: StateData['ImpersonateView'],
  ): Promise<Transition> {
    const choices = ctx.prc.attributes?.unfiltered[IMPERSONATABLE_USERNAMES];
    // Offered once per request; a passive request never shows it (the runner ends it NoPassive).
    const refused = [data.error, data.reasonError, data.levelError].some((e) => e !== undefined);
    if (!refused && !ctx.prc.passive) await recordOffer(ctx, choices?.length ?? 0);
    return {
      view: 'intercept/impersonate',
      model: impersonateViewModel(ctx, data, this.rule(ctx)),
    };
  }

  private async canonicalizeName(
    ctx: InterceptContext,
    data: StateData['CanonicalizeName'],
  ): Promise<Transition> {
    const { typed } = data;
    const name = this.decision.canonicalizeName(impersonator(ctx), typed);
    switch (name.reason) {
      case 'own-name':
        await recordChoseSelf(ctx, 'own-name', typed, name.account);
        return { end: PROCEED };
      case 'invalid-name': // also only white space (problem: empty)
        return this.refuseName(ctx, data, name.problem);
      case 'named':
        return this.checkReason(ctx, data, name.target);
    }
  }

  /** A well-formed name: the reason must pass too before the name is recorded as chosen. */
  private async checkReason(
    ctx: InterceptContext,
    data: StateData['CanonicalizeName'],
    target: NamedTarget,
  ): Promise<Transition> {
    const level = checkLevel(data.level, ctx.relyingParty.impersonation);
    if (!level.ok) return this.refuseLevel(ctx, data, level.problem);
    const checked = checkReason(data.reason, this.rule(ctx));
    if (!checked.ok) return this.refuseReason(ctx, data, checked.problem);
    const choice: Choice = { level: level.level, reason: checked.reason };
    // Whatever the policies answer, the records that end this request name what was asked, and why.
    ctx.prc.audit[AuditField.REQUESTED_TARGET] = [data.typed];
    ctx.prc.audit[AuditField.REQUESTED_TARGET_CANONICAL] = [target.account];
    ctx.prc.audit[AuditField.DETAILS] = auditDetails({ ...choice });
    await recordChoseImpersonation(ctx, choice);
    return { to: 'CheckSpecificAccess', data: { target, choice } };
  }

  private rule(ctx: InterceptContext) {
    return reasonRule(ctx.relyingParty.impersonation, this.settings.reason);
  }

  /** A level the form did not offer here (forged, or above the RP's cap): the form again. */
  private async refuseLevel(
    ctx: InterceptContext,
    { typed, reason, level }: FormInput,
    problem: 'unknown-level' | 'above-cap',
  ): Promise<Transition> {
    this.services.log.warn(
      `Impersonation request by principal ${quoted(ctx.prc.subject.principalName)} to relying party ${quoted(ctx.relyingParty.id)} refused: level ${quoted(level)} is not offered there (${problem})`,
    );
    await recordRefusedInput(ctx, 'InvalidImpersonationLevel', typed, problem);
    const levelError = `impersonate.invalid-level.${problem}`;
    return { to: 'ImpersonateView', data: { typed, reason, level, levelError } };
  }

  /** A name that is no account name (or none): logged, audited, and the form again with why. */
  private async refuseName(
    ctx: InterceptContext,
    { typed, reason, level }: FormInput,
    problem: AccountNameProblem,
  ): Promise<Transition> {
    this.services.log.warn(
      `Impersonation request by principal ${quoted(ctx.prc.subject.principalName)} to relying party ${quoted(ctx.relyingParty.id)} refused: requested name ${quoted(typed)} is not an account name (${problem})`,
    );
    await recordRefusedInput(ctx, 'InvalidImpersonationName', typed, problem);
    const error = `impersonate.invalid-name.${problem}`;
    return { to: 'ImpersonateView', data: { typed, reason, level, error } };
  }

  /** A reason the form does not take: logged, audited (never the reason itself), the form again. */
  private async refuseReason(
    ctx: InterceptContext,
    { typed, reason, level }: FormInput,
    problem: ReasonProblem,
  ): Promise<Transition> {
    this.services.log.warn(
      `Impersonation request by principal ${quoted(ctx.prc.subject.principalName)} to relying party ${quoted(ctx.relyingParty.id)} refused: the reason given was refused (${problem})`,
    );
    await recordRefusedInput(ctx, 'InvalidImpersonationReason', typed, problem);
    const reasonError = `impersonate.invalid-reason.${problem}`;
    return { to: 'ImpersonateView', data: { typed, reason, level, reasonError } };
  }

  private checkSpecificAccess(
    ctx: InterceptContext,
    target: NamedTarget,
    choice: Choice,
  ): Transition {
    const specific = this.decision.checkSpecificAccess(impersonator(ctx), target);
    if (specific.reason === 'permitted')
      return { to: 'DoImpersonate', data: { target: specific.target, choice } };
    this.services.log.warn(
      `Unauthorized impersonation attempt by principal ${quoted(ctx.prc.subject.principalName)} as ${quoted(target.account)} to relying party ${quoted(ctx.relyingParty.id)}`,
    );
    return { end: 'ImpersonationViolation' };
  }

  private async doImpersonate(
    ctx: InterceptContext,
    target: PermittedTarget,
    { level, reason }: Choice,
  ): Promise<Transition> {
    const { prc, relyingParty } = ctx;
    const subject = prc.subject;
    const found = await this.decision.lookUpTarget(target);
    const what = `by principal ${quoted(subject.principalName)} as ${quoted(target.account)} to relying party ${quoted(relyingParty.id)}`;
    if (found.reason !== 'impersonate') {
      const isProtected = found.reason === 'protected-target';
      this.services.log.warn(
        `Impersonation ${what} refused: ${isProtected ? 'the account is protected' : 'no such account'}`,
      );
      return { end: isProtected ? 'ProtectedImpersonationTarget' : 'UnknownImpersonationTarget' };
    }
    this.services.log.info(`Impersonation ${what}`);
    subject.impersonation = {
      impersonator: subject.principalName,
      resolutionLabel: found.resolutionLabel,
      tokens: this.settings.tokens,
      reason,
      level: level === 'delegate' ? 'delegate' : 'impersonate',
    };
    subject.principalName = target.account;
    prc.audit[AuditField.IMPERSONATING_USERNAME] = [subject.impersonation.impersonator];
    prc.attributes = {
      unfiltered: found.attributes,
      filtered: this.services.filter.filter(found.attributes, relyingParty.id),
    };
    return { end: PROCEED };
  }
}

/** The policies always see the real user (the swap happens after the last check). */
function impersonator(ctx: InterceptContext): Impersonator {
  const { prc, relyingParty } = ctx;
  return {
    principalName: prc.subject.principalName,
    attributes: prc.attributes?.unfiltered ?? {},
    relyingParty: relyingParty.id,
  };
}
