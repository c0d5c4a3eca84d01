/**
 * intercept/impersonate — Shibboleth's impersonate intercept, as one state machine:
 *
 *   (mode notAllowed at this RP: the flow does nothing)                [not in Shibboleth]
 *   CheckGeneralAccess ──deny──▶ proceed (silently, no view);  mode required: ImpersonationRequired
 *        │allow                                       audit act=offer   [not in Shibboleth]
 *   ImpersonateView ──proceed / "Continue normally"──▶ proceed           (audit act=choose, self)
 *        │impersonate                    (mode required: no such button; a forged one ends
 *        │                                ImpersonationRequired — never the real user)
 *   CheckForImpersonation ──empty name──▶ ImpersonateView ("Enter an account name"; act=refuse)
 *        │                                                    [Shibboleth proceeds as the user]
 *   CanonicalizeName ──invalid──▶ ImpersonateView (with the reason; act=refuse) [not in Shibboleth]
 *        │          ──own name──▶ proceed (act=choose, self); mode required: ImpersonateView
 *   CheckChoice ──level not offered / reason refused──▶ ImpersonateView (act=refuse)
 *        │  audit ut := the name as typed, utc := the account it names, det level=, reason=;
 *        │  act=choose
 *   LookUpTarget    the account's protected flag; its attributes (for the policy)
 *   CheckSpecificAccess ──deny──▶ ImpersonationViolation  (the escalation guard is a policy row)
 *        │          ──protected account──▶ ProtectedImpersonationTarget    [not in Shibboleth]
 *        │          ──no such account──▶ UnknownImpersonationTarget        [not in Shibboleth]
 *        │allow, level identify ──▶ Preview: what the RP would receive; nothing released
 *        │                          (act=preview) ──back──▶ ImpersonateView  ──proceed──▶ as above
 *   DoImpersonate   impersonation := {real, label, token limits, reason, level};
 *        │          principalName := target; audit uu := real; attributes filtered for the RP
 *        ▼
 *     proceed
 *
 * What each check answers, and their order, is the impersonation decision's
 * (impersonation-decision.ts): the states take its steps one at a time and do what the IdP does with
 * each answer — log, show the form, end with an event, swap the subject. Both policy checks see the
 * real user and their unfiltered attributes; the specific one also the target's and the level.
 * Shibboleth takes the typed name raw; here it is canonicalized first (trim, NFKC, the directory's
 * case rule) and names that are wildcards, contain control characters, are too long or imitate
 * another script are refused, so every policy decision is about exactly one account. An empty (or
 * blank) name is refused too, where Shibboleth goes on as the tester: pressing "Impersonate" and
 * landing at the service as oneself would be a silent surprise, so the form asks again.
 */
import type { AccessControlService, AccessDecision } from '../../access/access-control.js';
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import { AuditField, auditDetails } from '../../audit/audit-fields.js';
import type { UserDirectory } from '../../directory/user-directory.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { quoted } from '../../logging/process-log.js';
import type { Json, TokenPolicy } from '../../core/request-context.js';
import type { FormFields } from '../../core/form-fields.js';
import { impersonationMode } from '../../relying-party/rp-impersonation.js';
import {
  PROCEED,
  type InterceptContext,
  type InterceptFlow,
  type InterceptOutcome,
} from '../intercept-flow.js';
import { recordChoseImpersonation, recordChoseSelf, recordOffer } from './impersonate-audit.js';
import { backFromPreview, forgetPreviewedChoice, showPreview } from './impersonate-preview.js';
import { swapSubject } from './swap-subject.js';
import type { Goto, StateData, StateName, States, Transition } from './impersonate-states.js';
import { refuseInput, type FormInput, type RefusedField } from './impersonate-refusal.js';
import { checkReason, reasonRule } from './impersonation-reason.js';
import { impersonateViewModel, type ViewData } from './impersonate-view.js';
import {
  ImpersonationDecision,
  type Impersonator,
  type LookedUpTarget,
} from './impersonation-decision.js';
import { checkLevel, type Choice } from './impersonation-level.js';

const IMPERSONATE_FLOW_ID = 'intercept/impersonate';
const IMPERSONATABLE_USERNAMES = 'impersonatableUsernames';

export interface ImpersonateSettings {
  readonly generalPolicy: string;
  readonly specificPolicy: string;
  /** Limits on the tokens issued for an impersonated subject (idp.oidc.impersonation.*). */
  readonly tokens: TokenPolicy;
  /** idp.impersonate.reason.*: the reason's limit, and whether one is required by default. */
  readonly reason: { readonly maxLength: number; readonly required: boolean };
  /** idp.impersonate.identify.protectedAccounts: a protected account may be previewed. */
  readonly identifyProtected: boolean;
}

export interface ImpersonateServices {
  readonly accessControl: AccessControlService;
  readonly directory: UserDirectory;
  readonly resolver: AttributeResolver;
  readonly filter: AttributeFilter;
  /** Category net.shibboleth.idp.profile.interceptor, as in Shibboleth. */
  readonly log: ProcessLog;
}

export class ImpersonateFlow implements InterceptFlow {
  readonly id = IMPERSONATE_FLOW_ID;
  readonly events = [
    'ImpersonationViolation',
    'ImpersonationRequired',
    'ProtectedImpersonationTarget',
    'UnknownImpersonationTarget',
  ] as const;
  private readonly decision: ImpersonationDecision<AccessDecision>;

  /** Each state, in flow order; a state returns the next state, a view, or the end event. */
  private readonly states: States = {
    CheckGeneralAccess: (ctx) => this.checkGeneralAccess(ctx),
    ImpersonateView: (ctx, data) => this.impersonateView(ctx, data),
    CheckForImpersonation: (ctx, data) =>
      data.typed === ''
        ? this.refuse(ctx, 'name', 'empty', data)
        : { to: 'CanonicalizeName', data },
    CanonicalizeName: (ctx, data) => this.canonicalizeName(ctx, data),
    CheckChoice: (ctx, data) => this.checkChoice(ctx, data),
    // A directory failing here ends the request; recordingOutages (profile/outcomes.ts) audits it.
    LookUpTarget: async (_ctx, { target, choice }) => ({
      to: 'CheckSpecificAccess',
      data: { target: await this.decision.lookUpTarget(target, choice.level), choice },
    }),
    CheckSpecificAccess: (ctx, { target, choice }) => this.checkSpecificAccess(ctx, target, choice),
    Preview: (ctx, { target, input }) => showPreview(ctx, this.services, target, input),
    DoImpersonate: (ctx, { target, choice }) => {
      swapSubject(ctx, target, choice, this.settings.tokens, this.services);
      return { end: PROCEED };
    },
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
      identifyProtected: settings.identifyProtected,
    });
  }

  /** At a relying party whose mode is notAllowed the flow does nothing at all. */
  isActive(ctx: InterceptContext): boolean {
    return impersonationMode(ctx.relyingParty.impersonation) !== 'notAllowed';
  }

  start(ctx: InterceptContext): Promise<InterceptOutcome> {
    return this.run(ctx, { to: 'CheckGeneralAccess', data: {} });
  }

  /** The view keeps no state of its own, except the preview's: what to go back to. */
  async resume(
    ctx: InterceptContext,
    state: Json,
    event: string,
    form: FormFields,
  ): Promise<InterceptOutcome> {
    const preview = backFromPreview(state);
    // Whatever the tester does next, what the preview asked no longer describes this request.
    if (preview) forgetPreviewedChoice(ctx);
    if (preview && event === 'back') return this.run(ctx, { to: 'ImpersonateView', data: preview });
    if (!preview && event === 'impersonate')
      return this.run(ctx, {
        to: 'CheckForImpersonation',
        data: { typed: form.principal ?? '', reason: form.reason ?? '', level: form.level ?? '' },
      });
    // "Continue normally" — which a relying party that requires impersonation never offers.
    if (this.required(ctx)) return { end: 'ImpersonationRequired' };
    await recordChoseSelf(ctx);
    return { end: PROCEED };
  }

  private required(ctx: InterceptContext): boolean {
    return impersonationMode(ctx.relyingParty.impersonation) === 'required';
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

  private checkGeneralAccess(ctx: InterceptContext): Transition {
    if (this.decision.checkGeneralAccess(impersonator(ctx)).allowed)
      return { to: 'ImpersonateView', data: {} };
    if (!this.required(ctx)) return { end: PROCEED };
    this.services.log.warn(
      `Principal ${quoted(ctx.prc.subject.principalName)} may not impersonate at relying party ${quoted(ctx.relyingParty.id)}, which requires impersonation`,
    );
    return { end: 'ImpersonationRequired' };
  }

  private async impersonateView(ctx: InterceptContext, data: ViewData): Promise<Transition> {
    const choices = ctx.prc.attributes?.unfiltered[IMPERSONATABLE_USERNAMES];
    // Offered once per request; a passive request never shows it (the runner ends it NoPassive).
    const again = [data.error, data.reasonError, data.levelError].some((e) => e !== undefined);
    if (!again && !data.previewed && !ctx.prc.passive) await recordOffer(ctx, choices?.length ?? 0);
    return {
      view: 'intercept/impersonate',
      model: impersonateViewModel(ctx, data, this.rule(ctx)),
    };
  }

  private async canonicalizeName(ctx: InterceptContext, data: FormInput): Promise<Transition> {
    const { typed } = data;
    const name = this.decision.canonicalizeName(impersonator(ctx), typed);
    switch (name.reason) {
      case 'own-name':
        // Where impersonation is required, the real user is never released.
        if (this.required(ctx)) return this.refuse(ctx, 'name', 'own-name', data);
        await recordChoseSelf(ctx, 'own-name', typed, name.account);
        return { end: PROCEED };
      case 'invalid-name': // also only white space (problem: empty)
        return this.refuse(ctx, 'name', name.problem, data);
      case 'named':
        return { to: 'CheckChoice', data: { ...data, target: name.target } };
    }
  }

  /** A well-formed name: the level and the reason must pass too before the choice is recorded. */
  private async checkChoice(
    ctx: InterceptContext,
    data: StateData['CheckChoice'],
  ): Promise<Transition> {
    const level = checkLevel(data.level, ctx.relyingParty.impersonation);
    if (!level.ok) return this.refuse(ctx, 'level', level.problem, data);
    const checked = checkReason(data.reason, this.rule(ctx));
    if (!checked.ok) return this.refuse(ctx, 'reason', checked.problem, data);
    const choice: Choice = { typed: data.typed, level: level.level, reason: checked.reason };
    // Whatever the policies answer, the records that end this request name what was asked, and why.
    ctx.prc.audit[AuditField.REQUESTED_TARGET] = [data.typed];
    ctx.prc.audit[AuditField.REQUESTED_TARGET_CANONICAL] = [data.target.account];
    ctx.prc.audit[AuditField.DETAILS] = auditDetails({
      level: choice.level,
      reason: choice.reason,
    });
    await recordChoseImpersonation(ctx, choice);
    return { to: 'LookUpTarget', data: { target: data.target, choice } };
  }

  /** The reason rule here: the RP's, the IdP's default, or required by the general policy. */
  private rule(ctx: InterceptContext) {
    const byPolicy = this.decision.requiresReason(impersonator(ctx)).allowed;
    return reasonRule(ctx.relyingParty.impersonation, this.settings.reason, byPolicy);
  }

  private async refuse(
    ctx: InterceptContext,
    field: RefusedField,
    problem: string,
    input: FormInput,
  ): Promise<Transition> {
    const data = await refuseInput(ctx, this.services.log, { field, problem, input });
    return { to: 'ImpersonateView', data };
  }

  private checkSpecificAccess(
    ctx: InterceptContext,
    target: LookedUpTarget,
    choice: Choice,
  ): Transition {
    const checked = this.decision.checkSpecificAccess(impersonator(ctx), target);
    const what = `by principal ${quoted(ctx.prc.subject.principalName)} as ${quoted(target.account)} to relying party ${quoted(ctx.relyingParty.id)}`;
    switch (checked.reason) {
      case 'specific-denied':
        this.services.log.warn(`Unauthorized impersonation attempt ${what}`);
        return { end: 'ImpersonationViolation' };
      case 'protected-target':
        this.services.log.warn(`Impersonation ${what} refused: the account is protected`);
        return { end: 'ProtectedImpersonationTarget' };
      case 'unknown-target':
        this.services.log.warn(`Impersonation ${what} refused: no such account`);
        return { end: 'UnknownImpersonationTarget' };
      case 'permitted':
        if (choice.level !== 'identify')
          return { to: 'DoImpersonate', data: { target: checked.target, choice } };
        return {
          to: 'Preview',
          data: { target: checked.target, input: { typed: choice.typed, reason: choice.reason } },
        };
    }
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
