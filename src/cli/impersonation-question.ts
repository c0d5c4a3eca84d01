/**
 * "May USER impersonate TARGET at RP?", answered by the impersonate intercept's own decision
 * (src/intercept/impersonate/impersonation-decision.ts), step by step, with the real pieces: the
 * real user's unfiltered attributes resolved as at sign-in, the general policy (resource ""), the
 * typed name canonicalized by the directory's rule, the specific policy (resource: the canonical
 * account), and the account looked up as DoImpersonate does (a protected account is refused there). Each policy's answer keeps its
 * explanation: the rule that decided, every rule that matched.
 */
import type { AccessRequest } from '../access/access-control.js';
import type { PolicyExplanation } from '../access/compiled-policy.js';
import type { PolicySnapshot } from '../access/policy-snapshot.js';
import type { AttributeValues } from '../core/attribute-values.js';
import type { IdpConfiguration } from '../config/load-configuration.js';
import {
  ImpersonationDecision,
  type ImpersonationExplanation,
  type ImpersonationReason,
  type TargetDecision,
} from '../intercept/impersonate/impersonation-decision.js';
import type { RelyingParty } from '../relying-party/relying-party.js';
import {
  impersonationMode,
  type ImpersonationLevel,
  type RelyingPartyImpersonation,
} from '../relying-party/rp-impersonation.js';
import {
  checkLevel,
  offeredLevels,
  type LevelCheck,
} from '../intercept/impersonate/impersonation-level.js';
import type { CliDirectory } from './cli-context.js';
import type { Outcome } from './impersonation-outcome.js';

/** The resolution label of a sign-in (the SAML profile's; the first resolution of a request). */
export const SIGN_IN_LABEL = 'SAML2/SSO';
const FLOW = 'impersonate';

export interface PolicyAnswer {
  /** The property naming the policy (idp.impersonate.generalPolicy …), if any. */
  readonly property?: string;
  readonly name: string;
  readonly request: AccessRequest;
  readonly allowed: boolean;
  /** Absent when conf/access-control.yaml defines no such policy (which denies). */
  readonly explanation?: PolicyExplanation;
}

export interface ImpersonationAnswer {
  readonly user: string;
  readonly userFound: boolean;
  readonly attributes: AttributeValues;
  readonly relyingParty: string;
  readonly relyingPartyName?: string;
  readonly target?: {
    readonly typed: string;
    readonly canonical?: string;
    readonly problem?: string;
    readonly exists?: boolean;
    /** The directory flags the account protected: never impersonated. */
    readonly protected?: boolean;
  };
  readonly general: PolicyAnswer;
  readonly specific?: PolicyAnswer;
  readonly outcome: Outcome;
  /** Whether the whole question is answered yes (the target is previewed, impersonated or delegated). */
  readonly mayImpersonate: boolean;
  /** The level asked (or the RP's default), and what the RP admits. */
  readonly level: {
    readonly asked: string;
    readonly offered: readonly string[];
    readonly mode: string;
  };
}

export interface QuestionContext {
  readonly config: IdpConfiguration;
  readonly policies: PolicySnapshot;
  readonly directory: CliDirectory;
}

export async function askImpersonation(
  ctx: QuestionContext,
  question: {
    readonly user: string;
    readonly target?: string;
    readonly rp: string;
    readonly level?: string;
  },
): Promise<ImpersonationAnswer> {
  const { config, directory } = ctx;
  const canonicalUser = directory.directory.canonicalName(question.user);
  const user = canonicalUser.ok ? canonicalUser.name : question.user;
  const signIn = await directory.resolver.resolve({ principal: user, label: SIGN_IN_LABEL });
  const rp = config.relyingParties.find((r) => r.id === question.rp);
  const decision = decisionFor(ctx);
  const settings = rp?.impersonation ?? {};
  const level = checkLevel(question.level ?? '', settings);
  const explained = await decision.explain(
    { principalName: user, attributes: signIn.attributes, relyingParty: question.rp },
    question.target,
    level.ok ? level.level : 'impersonate',
  );
  const outcome = outcomeOf(explained, rp, signIn.principalFound, level);
  const target =
    question.target === undefined || !explained.target
      ? undefined
      : await targetOf(question.target, explained.target, directory);
  return {
    user,
    userFound: signIn.principalFound,
    attributes: signIn.attributes,
    relyingParty: question.rp,
    relyingPartyName: rp?.displayName,
    target,
    general: explained.general,
    specific:
      explained.target && 'specific' in explained.target ? explained.target.specific : undefined,
    outcome,
    mayImpersonate: ALLOWED_OUTCOMES.includes(outcome),
    level: levelSummary(level, question.level, settings),
  };
}

function levelSummary(
  level: LevelCheck,
  asked: string | undefined,
  settings: RelyingPartyImpersonation,
): ImpersonationAnswer['level'] {
  return {
    asked: level.ok ? level.level : (asked ?? ''),
    offered: offeredLevels(settings),
    mode: impersonationMode(settings),
  };
}

/** The intercept's decision, asking the compiled policies for their explanations. */
function decisionFor(ctx: QuestionContext): ImpersonationDecision<PolicyAnswer> {
  const { config, policies, directory } = ctx;
  const { generalPolicy, specificPolicy } = config.properties.impersonate;
  return new ImpersonationDecision({
    generalPolicy: (request) =>
      answerOf(policies, generalPolicy, request, 'idp.impersonate.generalPolicy'),
    specificPolicy: (request) =>
      answerOf(policies, specificPolicy, request, 'idp.impersonate.specificPolicy'),
    canonicalName: (typed) => directory.directory.canonicalName(typed),
    resolve: (request) => directory.resolver.resolve(request),
    isProtected: (account) => directory.directory.isProtected(account),
    identifyProtected: config.properties.impersonate.identifyProtected,
  });
}

/**
 * The typed name as the output shows it. An account the specific policy denies is also looked up
 * for its protected flag (the IdP never gets that far; an admin asking should still see that the
 * account would be refused even if a policy allowed it).
 */
async function targetOf(
  typed: string,
  decided: TargetDecision<PolicyAnswer>,
  directory: CliDirectory,
): Promise<NonNullable<ImpersonationAnswer['target']>> {
  switch (decided.reason) {
    case 'invalid-name':
      return { typed, problem: decided.problem };
    case 'own-name':
      return { typed, canonical: decided.account };
    case 'specific-denied': {
      const flagged = await directory.directory.isProtected(decided.account);
      return { typed, canonical: decided.account, exists: undefined, protected: flagged };
    }
    case 'protected-target':
      return { typed, canonical: decided.account, exists: true, protected: true };
    default:
      return { typed, canonical: decided.account, exists: decided.reason === 'impersonate' };
  }
}

const OUTCOME_OF_REASON: Record<ImpersonationReason, Outcome> = {
  'general-denied': 'form-not-offered',
  'form-offered': 'form-offered',
  'invalid-name': 'invalid-name',
  'own-name': 'own-name',
  'specific-denied': 'violation',
  'unknown-target': 'unknown-target',
  'protected-target': 'protected-target',
  impersonate: 'impersonates',
};

const ALLOWED_OUTCOMES: readonly Outcome[] = ['previews', 'impersonates', 'delegates'];
const OUTCOME_AT_LEVEL: Record<ImpersonationLevel, Outcome> = {
  identify: 'previews',
  impersonate: 'impersonates',
  delegate: 'delegates',
};

/** The intercept's answer, unless the request never gets that far (unknown user or relying party, no impersonate flow). */
function outcomeOf(
  explained: ImpersonationExplanation<PolicyAnswer>,
  rp: RelyingParty | undefined,
  userFound: boolean,
  level: LevelCheck,
): Outcome {
  if (!userFound) return 'unknown-user';
  if (!rp) return 'unknown-relying-party';
  if (!rp.postAuthenticationFlows.includes(FLOW)) return 'flow-not-enabled';
  return levelOutcome(explained, rp, level) ?? OUTCOME_OF_REASON[explained.reason];
}

/** Where the RP's mode or the level asked decides before (or instead of) the policies' reason. */
function levelOutcome(
  explained: ImpersonationExplanation<PolicyAnswer>,
  rp: RelyingParty,
  level: LevelCheck,
): Outcome | undefined {
  const mode = impersonationMode(rp.impersonation);
  if (mode === 'notAllowed') return 'not-allowed-here';
  if (explained.reason === 'general-denied')
    return mode === 'required' ? 'required-refused' : undefined;
  // Where impersonation is required the IdP refuses the own name (the form asks again).
  if (explained.reason === 'own-name' && mode === 'required') return 'invalid-name';
  const named = explained.target && !['invalid-name', 'own-name'].includes(explained.target.reason);
  if (!level.ok) return named ? 'level-not-offered' : undefined;
  return explained.reason === 'impersonate' ? OUTCOME_AT_LEVEL[level.level] : undefined;
}

/** One named policy's answer for the user (resource: the canonical target, or "" when none). */
export function askPolicy(
  ctx: QuestionContext,
  answer: ImpersonationAnswer,
  name: string,
): PolicyAnswer {
  if (name === answer.general.name) return answer.general;
  if (answer.specific?.name === name) return answer.specific;
  const resource =
    name === ctx.config.properties.impersonate.generalPolicy
      ? ''
      : (answer.target?.canonical ?? answer.target?.typed ?? '');
  return answerOf(ctx.policies, name, { ...answer.general.request, resource });
}

/** A policy's answer with its explanation; a policy that does not exist denies. */
function answerOf(
  policies: PolicySnapshot,
  name: string,
  request: AccessRequest,
  property?: string,
): PolicyAnswer {
  const explanation = policies.get(name)?.explain(request);
  return { property, name, request, allowed: explanation?.decision.allowed ?? false, explanation };
}
