/**
 * The impersonation decision — which checks decide "may this user act as that account, at this
 * level, at this relying party?", in which order, and what each one answers. The impersonate
 * intercept (impersonate-flow.ts) takes these checks from its states; `policy explain` and
 * `policy test` (src/cli/impersonation-question.ts) explain the same checks. The order is written
 * here only:
 *
 *   1. checkGeneralAccess   the general policy, resource "": is the impersonate form offered?
 *   2. canonicalizeName     the typed name, by the directory's naming rule: the user's own name
 *                           ends the question — the user goes on as themself —; a name that is no
 *                           account name, nothing typed or only white space included, is refused
 *                           before any policy sees it (Shibboleth goes on as the user when nothing
 *                           is typed; here the form asks again)
 *   3. lookUpTarget         the account: its protected flag, and — unless that refuses it — its
 *                           unfiltered attributes, resolved with label intercept/impersonate
 *   4. checkSpecificAccess  the specific policy, resource: the canonical account, with the
 *                           account's attributes (r.tattrs: the escalation guard's rows compare
 *                           them with the real user's) and the level asked for (r.level); then, if
 *                           it allows, the account's flag (protected) and existence (unknown)
 *
 * The policy's denial is answered before the flag and the existence, so a name the user may not
 * impersonate never tells them whether such an account exists — nor whether it is protected. Each
 * step takes what only the step before it gives (a NamedTarget, a LookedUpTarget, then a
 * PermittedTarget), so no caller can take them in another order; decideTarget takes 2–4 in a row.
 * Both policies see the real user and their unfiltered attributes.
 *
 * Pure: no I/O of its own. The policies, the naming rule and the attribute resolver are given to
 * it (ImpersonationChecks), so the IdP asks its access-control service and the CLI its compiled
 * policies with their explanations.
 */
import type { AccessRequest } from '../../access/access-control.js';
import type { ResolutionRequest, Resolution } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../core/attribute-values.js';
import type { AccountNameProblem, AccountNameResult } from '../../directory/account-name.js';
import type { ImpersonationLevel } from '../../relying-party/rp-impersonation.js';

/** The operation both policies are asked about. */
const IMPERSONATE_OPERATION = 'impersonate';
/** The operation the general policy is asked about for "must this user give a reason here?". */
const REQUIRE_REASON_OPERATION = 'require-reason';
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
  /** idp.impersonate.identify.protectedAccounts: a protected account may be previewed (identify). */
  readonly identifyProtected: boolean;
}

declare const NAMED: unique symbol;
declare const LOOKED_UP: unique symbol;
declare const PERMITTED: unique symbol;
/** A canonical account name other than the user's own, as only canonicalizeName gives it. */
export type NamedTarget = { readonly account: string } & { readonly [NAMED]: true };
/** What the directory says of the account, as only lookUpTarget gives it. */
export type LookedUpTarget = {
  readonly account: string;
  readonly level: ImpersonationLevel;
  /** Protected, and not at a level its flag allows: refused whatever the policy says. */
  readonly refusedAsProtected: boolean;
  /** Whether the account exists (false as well when it was not resolved: refusedAsProtected). */
  readonly found: boolean;
  /** Its unfiltered attributes ({} when not resolved); the specific policy sees them. */
  readonly attributes: AttributeValues;
} & { readonly [LOOKED_UP]: true };
/** An account the specific policy allows, as only checkSpecificAccess gives it. */
export type PermittedTarget = {
  readonly account: string;
  readonly level: ImpersonationLevel;
  readonly attributes: AttributeValues;
  readonly resolutionLabel: string;
} & { readonly [PERMITTED]: true };

/** Step 2: what the typed name is. */
export type NameCheck =
  /** Not an account name (nothing typed, a wildcard, a control character, too long, another script …). */
  | { readonly reason: 'invalid-name'; readonly problem: AccountNameProblem }
  /** The user's own name, in some spelling: the user goes on as themself. */
  | { readonly reason: 'own-name'; readonly account: string }
  /** Another account's name: on to the specific policy. */
  | { readonly reason: 'named'; readonly target: NamedTarget };

/** Step 4: the specific policy's answer, then the account's flag and existence. */
export type SpecificCheck<V extends PolicyVerdict> =
  | { readonly reason: 'specific-denied'; readonly specific: V }
  /** Flagged protected in the directory: never impersonated, whatever the policies say. */
  | { readonly reason: 'protected-target'; readonly specific: V }
  | { readonly reason: 'unknown-target'; readonly specific: V }
  | { readonly reason: 'permitted'; readonly specific: V; readonly target: PermittedTarget };

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
      readonly target: PermittedTarget;
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

  /**
   * Beside step 1: does the general policy require this user to give a reason here (a matching
   * allow row for operation require-reason)? The form asks for one and refuses to go on without.
   */
  requiresReason(who: Impersonator): V {
    return this.checks.generalPolicy({
      ...requestOf(who, ''),
      operation: REQUIRE_REASON_OPERATION,
    });
  }

  /** Step 2: the typed name, canonicalized (trim, NFKC, the directory's case rule) and vetted. */
  canonicalizeName(who: Impersonator, typed: string): NameCheck {
    const checked = this.checks.canonicalName(typed);
    if (!checked.ok) return { reason: 'invalid-name', problem: checked.problem };
    if (checked.name === who.principalName) return { reason: 'own-name', account: checked.name };
    return { reason: 'named', target: { account: checked.name } as NamedTarget };
  }

  /**
   * Step 3: the account — its protected flag, then its attributes for the specific policy.
   *
   * A protected account is not resolved at all (not even its unfiltered attributes are computed
   * for an impersonation): the policy then sees no attributes, and step 4 refuses it after the
   * policy. It is a fact about the target, not a rule: no policy row can lift it — only
   * idp.impersonate.identify.protectedAccounts lets a preview (identify) through.
   */
  async lookUpTarget(target: NamedTarget, level: ImpersonationLevel): Promise<LookedUpTarget> {
    const flagged = await this.checks.isProtected(target.account);
    const refusedAsProtected = flagged && !(level === 'identify' && this.checks.identifyProtected);
    if (refusedAsProtected)
      return {
        account: target.account,
        level,
        refusedAsProtected,
        found: false,
        attributes: {},
      } as LookedUpTarget;
    const resolution = await this.checks.resolve({
      principal: target.account,
      label: IMPERSONATE_RESOLUTION_LABEL,
    });
    return {
      account: target.account,
      level,
      refusedAsProtected,
      found: resolution.principalFound,
      attributes: resolution.attributes,
    } as LookedUpTarget;
  }

  /** Step 4: the specific policy, about the canonical account, its attributes and the level. */
  checkSpecificAccess(who: Impersonator, target: LookedUpTarget): SpecificCheck<V> {
    const specific = this.checks.specificPolicy({
      ...requestOf(who, target.account),
      targetAttributes: target.attributes,
      level: target.level,
    });
    if (!specific.allowed) return { reason: 'specific-denied', specific };
    if (target.refusedAsProtected) return { reason: 'protected-target', specific };
    if (!target.found) return { reason: 'unknown-target', specific };
    const permitted = {
      account: target.account,
      level: target.level,
      attributes: target.attributes,
      resolutionLabel: IMPERSONATE_RESOLUTION_LABEL,
    } as PermittedTarget;
    return { reason: 'permitted', specific, target: permitted };
  }

  /** Steps 2–4 in order, stopping at the first that decides. */
  async decideTarget(
    who: Impersonator,
    typed: string,
    level: ImpersonationLevel = 'impersonate',
  ): Promise<TargetDecision<V>> {
    const name = this.canonicalizeName(who, typed);
    if (name.reason !== 'named') return name;
    const account = name.target.account;
    const checked = this.checkSpecificAccess(who, await this.lookUpTarget(name.target, level));
    if (checked.reason !== 'permitted') return { ...checked, account };
    return { reason: 'impersonate', account, specific: checked.specific, target: checked.target };
  }

  /**
   * The whole question, every step answered: the general policy, then — for a typed name — steps
   * 2–4, even when the general policy denies (the form would not be offered; the explanation still
   * says what the rest would answer). `reason` is the IdP's answer: the first step that decides.
   */
  async explain(
    who: Impersonator,
    typed?: string,
    level?: ImpersonationLevel,
  ): Promise<ImpersonationExplanation<V>> {
    const general = this.checkGeneralAccess(who);
    const target = typed === undefined ? undefined : await this.decideTarget(who, typed, level);
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
