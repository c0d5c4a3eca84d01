/**
 * "May USER impersonate TARGET at RP?", answered the way the impersonate intercept answers it
 * (src/intercept/impersonate/impersonate-flow.ts), step by step, with the real pieces: the real
 * user's unfiltered attributes resolved as at sign-in, CheckGeneralAccess (resource ""), the typed
 * name canonicalized by the directory's rule, CheckSpecificAccess (resource: the canonical
 * account), and the account looked up as DoImpersonate does. Each policy's answer keeps its
 * explanation: the rule that decided, every rule that matched.
 */
import type { AccessRequest } from '../access/access-control.js';
import type { PolicyExplanation } from '../access/compiled-policy.js';
import type { PolicySnapshot } from '../access/policy-snapshot.js';
import type { AttributeValues } from '../core/attribute-values.js';
import type { IdpConfiguration } from '../config/load-configuration.js';
import { IMPERSONATE_OPERATION, IMPERSONATE_RESOLUTION_LABEL } from '../intercept/impersonate/impersonate-flow.js';
import type { CliDirectory } from './cli-context.js';

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

export type Outcome =
  | 'unknown-user'
  | 'unknown-relying-party'
  | 'flow-not-enabled'
  | 'form-not-offered'
  | 'form-offered'
  | 'invalid-name'
  | 'own-name'
  | 'violation'
  | 'unknown-target'
  | 'impersonates';

export const OUTCOME_TEXT: Record<Outcome, string> = {
  'unknown-user': 'the user is not an (enabled) account, so cannot sign in',
  'unknown-relying-party': 'the relying party is not configured: the IdP refuses its requests (Unknown Service)',
  'flow-not-enabled': 'the relying party does not list impersonate in its postAuthenticationFlows',
  'form-not-offered': 'the general policy denies: the impersonate form is not offered',
  'form-offered': 'the general policy allows: the impersonate form is offered',
  'invalid-name': 'the typed name is refused before any policy sees it',
  'own-name': 'the typed name is the user\'s own: the request proceeds without impersonation',
  violation: 'the specific policy denies: ImpersonationViolation (Access Denied page, audited)',
  'unknown-target': 'the policies allow it, but there is no such account: UnknownImpersonationTarget',
  impersonates: 'allowed: the relying party receives the target account',
};

export interface ImpersonationAnswer {
  readonly user: string;
  readonly userFound: boolean;
  readonly attributes: AttributeValues;
  readonly relyingParty: string;
  readonly relyingPartyName?: string;
  readonly target?: { readonly typed: string; readonly canonical?: string; readonly problem?: string; readonly exists?: boolean };
  readonly general: PolicyAnswer;
  readonly specific?: PolicyAnswer;
  readonly outcome: Outcome;
  /** Whether the whole question is answered yes (outcome impersonates). */
  readonly mayImpersonate: boolean;
}

export interface QuestionContext {
  readonly config: IdpConfiguration;
  readonly policies: PolicySnapshot;
  readonly directory: CliDirectory;
}

export async function askImpersonation(
  ctx: QuestionContext,
  question: { readonly user: string; readonly target?: string; readonly rp: string },
): Promise<ImpersonationAnswer> {
  const { config, policies, directory } = ctx;
  const props = config.properties;
  const canonicalUser = directory.directory.canonicalName(question.user);
  const user = canonicalUser.ok ? canonicalUser.name : question.user;
  const signIn = await directory.resolver.resolve({ principal: user, label: SIGN_IN_LABEL });
  const rp = config.relyingParties.find((r) => r.id === question.rp);

  const ask = (name: string, resource: string, property?: string): PolicyAnswer => {
    const request: AccessRequest = { subject: user, attributes: signIn.attributes, relyingParty: question.rp, operation: IMPERSONATE_OPERATION, resource };
    const policy = policies.get(name);
    const explanation = policy?.explain(request);
    return { property, name, request, allowed: explanation?.decision.allowed ?? false, explanation };
  };
  const general = ask(props.impersonate.generalPolicy, '', 'idp.impersonate.generalPolicy');

  let target: ImpersonationAnswer['target'];
  let specific: PolicyAnswer | undefined;
  if (question.target !== undefined) {
    const checked = directory.directory.canonicalName(question.target);
    if (!checked.ok) {
      target = { typed: question.target, problem: checked.problem };
    } else if (checked.name === user) {
      target = { typed: question.target, canonical: checked.name };
    } else {
      // Asked even when the general policy denies, to show what it would say.
      specific = ask(props.impersonate.specificPolicy, checked.name, 'idp.impersonate.specificPolicy');
      const exists = specific.allowed ? (await directory.resolver.resolve({ principal: checked.name, label: IMPERSONATE_RESOLUTION_LABEL })).principalFound : undefined;
      target = { typed: question.target, canonical: checked.name, exists };
    }
  }
  let outcome: Outcome;
  if (!general.allowed) outcome = 'form-not-offered';
  else if (!target) outcome = 'form-offered';
  else if (target.problem !== undefined) outcome = 'invalid-name';
  else if (target.canonical === user) outcome = 'own-name';
  else if (!specific?.allowed) outcome = 'violation';
  else outcome = target.exists ? 'impersonates' : 'unknown-target';
  if (rp && !rp.postAuthenticationFlows.includes(FLOW)) outcome = 'flow-not-enabled';
  if (!rp) outcome = 'unknown-relying-party';
  if (!signIn.principalFound) outcome = 'unknown-user';
  return {
    user,
    userFound: signIn.principalFound,
    attributes: signIn.attributes,
    relyingParty: question.rp,
    relyingPartyName: rp?.displayName,
    target,
    general,
    specific,
    outcome,
    mayImpersonate: outcome === 'impersonates',
  };
}

/** One named policy's answer for the user (resource: the canonical target, or "" when none). */
export function askPolicy(ctx: QuestionContext, answer: ImpersonationAnswer, name: string): PolicyAnswer {
  if (name === answer.general.name) return answer.general;
  if (answer.specific?.name === name) return answer.specific;
  const resource = name === ctx.config.properties.impersonate.generalPolicy ? '' : (answer.target?.canonical ?? answer.target?.typed ?? '');
  const request: AccessRequest = { ...answer.general.request, resource };
  const explanation = ctx.policies.get(name)?.explain(request);
  return { name, request, allowed: explanation?.decision.allowed ?? false, explanation };
}
