/**
 * The impersonation decision — which checks decide "may this user impersonate that account at
 * this relying party?", in which order, and what each one answers. The impersonate intercept
 * (impersonate-flow.ts) takes these checks from its states; `policy explain` and `policy test`
 * (src/cli/impersonation-question.ts) explain the same checks. The order is written here only:
 *
 *   1. checkGeneralAccess   the general policy, resource "": is the impersonate form offered?
 *   2. canonicalizeName     the typed name, by the directory's naming rule: the user's own name
 *                           ends the question — the user goes on as themself —; a name that is no
 *                           account name, nothing typed or only white space included, is refused
 *                           before any policy sees it (Shibboleth goes on as the user when nothing
 *                           is typed; here the form asks again)
 *   3. checkSpecificAccess  the specific policy, resource: the canonical account
 *   4. lookUpTarget         the account: refused when the directory flags it protected
 *                           ("sensitive, cannot be delegated"), whatever the policies say; else
 *                           resolved with label intercept/impersonate
 *
 * The specific policy is asked before the account is looked up, so a name the user may not
 * impersonate never tells them whether such an account exists — nor whether it is protected. Each step takes what only the step
 * before it gives (a NamedTarget, then a PermittedTarget), so no caller can take them in another
 * order; decideTarget takes 2–4 in a row. Both policies see the real user and their unfiltered
 * attributes.
 *
 * Pure: no I/O of its own. The policies, the naming rule and the attribute resolver are given to
 * it (ImpersonationChecks), so the IdP asks its access-control service and the CLI its compiled
 * policies with their explanations.
 */
import type { AccessRequest } from '../../access/access-control.js';
import type { ResolutionRequest, Resolution } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../core/attribute-values.js';
import type { AccountNameProblem, AccountNameResult } from '../../directory/account-name.js';

/** The operation both policies are asked about. */
const IMPERSONATE_OPERATION = 'impersonate';
/** The resolution label of the impersonated account's attributes (excluded definitions are not resolved). */
export const IMPERSONATE_RESOLUTION_LABEL = 'intercept/impersonate';

/** A policy's answer: the IdP's AccessDecision, or the CLI's with its explanation. */
export interface PolicyVerdict {
  readonly allowed: boolean;
}

/** Who asks to impersonate, where: the real (signed-in) user, never an impersonated one. */
export interface Impersonator {
  readonly principalName: string;
  /** The real user's unfiltered attributes. */
  readonly attributes: AttributeValues;
  readonly relyingParty: string;
}

/** What the decision asks; each is given, none is looked up here. */
export interface ImpersonationChecks<V extends PolicyVerdict> {
  /** The general policy (idp.impersonate.generalPolicy). */
  readonly generalPolicy: (request: AccessRequest) => V;
  /** The specific policy (idp.impersonate.specificPolicy). */
  readonly specificPolicy: (request: AccessRequest) => V;
  /** The directory's naming rule (UserDirectory.canonicalName). */
  readonly canonicalName: (typed: string) => AccountNameResult;
  /** The attribute resolver (AttributeResolver.resolve). */
  readonly resolve: (request: ResolutionRequest) => Promise<Resolution>;
  /** The directory's protected flag (UserDirectory.isProtected). */
  readonly isProtected: (account: string) => Promise<boolean>;
}

declare const NAMED: unique symbol;
declare const PERMITTED: unique symbol;
/** A canonical account name other than the user's own, as only canonicalizeName gives it. */
export type NamedTarget = { readonly account: string } & { readonly [NAMED]: true };
/** An account the specific policy allows, as only checkSpecificAccess gives it. */
export type PermittedTarget = { readonly account: string } & { readonly [PERMITTED]: true };

/** Step 2: what the typed name is. */
export type NameCheck =
  /** Not an account name (nothing typed, a wildcard, a control character, too long, another script …). */
  | { readonly reason: 'invalid-name'; readonly problem: AccountNameProblem }
  /** The user's own name, in some spelling: the user goes on as themself. */
  | { readonly reason: 'own-name'; readonly account: string }
  /** Another account's name: on to the specific policy. */
  | { readonly reason: 'named'; readonly target: NamedTarget };

/** Step 3: the specific policy's answer. */
export type SpecificCheck<V extends PolicyVerdict> =
  | { readonly reason: 'specific-denied'; readonly specific: V }
  | { readonly reason: 'permitted'; readonly specific: V; readonly target: PermittedTarget };

/** Step 4: the account, if there is one. */
export type TargetCheck =
  | { readonly reason: 'unknown-target' }
  /** Flagged protected in the directory: never impersonated, whatever the policies say. */
  | { readonly reason: 'protected-target' }
  /** Allowed: the account's unfiltered attributes, resolved with `resolutionLabel`. */
  | {
      readonly reason: 'impersonate';
      readonly attributes: AttributeValues;
      readonly resolutionLabel: string;
    };

/** Steps 2–4 for one typed name: where they end, with what each step found. */
export type TargetDecision<V extends PolicyVerdict> =
  | Exclude<NameCheck, { readonly reason: 'named' }>
  | { readonly reason: 'specific-denied'; readonly account: string; readonly specific: V }
  | { readonly reason: 'unknown-target'; readonly account: string; readonly specific: V }
  | { readonly reason: 'protected-target'; readonly account: string; readonly specific: V }
  | {
      readonly reason: 'impersonate';
      readonly account: string;
      readonly specific: V;
      readonly attributes: AttributeValues;
      readonly resolutionLabel: string;
    };

/** Why the whole question ends where it does. */
export type ImpersonationReason =
  'general-denied' | 'form-offered' | TargetDecision<PolicyVerdict>['reason'];

/** Every step's answer to one question, for an explanation. */
export interface ImpersonationExplanation<V extends PolicyVerdict> {
  readonly general: V;
  /** Steps 2–4, when a name was given — taken even when the general policy denies, to show what they would say. */
  readonly target?: TargetDecision<V>;
  /** The first step that decides, in order: the answer the IdP gives. */
  readonly reason: ImpersonationReason;
}

export class ImpersonationDecision<V extends PolicyVerdict> {
  constructor(private readonly checks: ImpersonationChecks<V>) {}

  /** Step 1: the general policy. Denied: the form is not offered and the user goes on as themself. */
  checkGeneralAccess(who: Impersonator): V {
    return this.checks.generalPolicy(requestOf(who, ''));
  }

  /** Step 2: the typed name, canonicalized (trim, NFKC, the directory's case rule) and vetted. */
  canonicalizeName(who: Impersonator, typed: string): NameCheck {
    const checked = this.checks.canonicalName(typed);
    if (!checked.ok) return { reason: 'invalid-name', problem: checked.problem };
    if (checked.name === who.principalName) return { reason: 'own-name', account: checked.name };
    return { reason: 'named', target: { account: checked.name } as NamedTarget };
  }

  /** Step 3: the specific policy, about the canonical account. */
  checkSpecificAccess(who: Impersonator, target: NamedTarget): SpecificCheck<V> {
    const specific = this.checks.specificPolicy(requestOf(who, target.account));
    if (!specific.allowed) return { reason: 'specific-denied', specific };
    return {
      reason: 'permitted',
      specific,
      target: { account: target.account } as PermittedTarget,
    };
  }

  /**
   * Step 4: the account — refused when protected, otherwise resolved as the impersonated subject's
   * attributes are.
   *
   * The protected flag is read here, after the specific policy and before anything is resolved:
   * after the policy, so a user it refuses learns nothing about the account (the same
   * ImpersonationViolation as for any name they may not have); before resolution, so not even the
   * unfiltered attributes of a protected account are computed for an impersonation. It is a fact
   * about the target, not a rule: no policy row can lift it (a later `identify` preview may, by an
   * explicit property).
   */
  async lookUpTarget(target: PermittedTarget): Promise<TargetCheck> {
    if (await this.checks.isProtected(target.account)) return { reason: 'protected-target' };
    const resolutionLabel = IMPERSONATE_RESOLUTION_LABEL;
    const resolution = await this.checks.resolve({
      principal: target.account,
      label: resolutionLabel,
    });
    if (!resolution.principalFound) return { reason: 'unknown-target' };
    return { reason: 'impersonate', attributes: resolution.attributes, resolutionLabel };
  }

  /** Steps 2–4 in order, stopping at the first that decides. */
  async decideTarget(who: Impersonator, typed: string): Promise<TargetDecision<V>> {
    const name = this.canonicalizeName(who, typed);
    if (name.reason !== 'named') return name;
    const account = name.target.account;
    const specific = this.checkSpecificAccess(who, name.target);
    if (specific.reason === 'specific-denied')
      return { reason: 'specific-denied', account, specific: specific.specific };
    const found = await this.lookUpTarget(specific.target);
    if (found.reason !== 'impersonate')
      return { reason: found.reason, account, specific: specific.specific };
    return { ...found, account, specific: specific.specific };
  }

  /**
   * The whole question, every step answered: the general policy, then — for a typed name — steps
   * 2–4, even when the general policy denies (the form would not be offered; the explanation still
   * says what the rest would answer). `reason` is the IdP's answer: the first step that decides.
   */
  async explain(who: Impersonator, typed?: string): Promise<ImpersonationExplanation<V>> {
    const general = this.checkGeneralAccess(who);
    const target = typed === undefined ? undefined : await this.decideTarget(who, typed);
    const reason = !general.allowed ? 'general-denied' : (target?.reason ?? 'form-offered');
    return { general, target, reason };
  }
}

function requestOf(who: Impersonator, resource: string): AccessRequest {
  return {
    subject: who.principalName,
    attributes: who.attributes,
    relyingParty: who.relyingParty,
    operation: IMPERSONATE_OPERATION,
    resource,
  };
}
