/**
 * policy explain --user U [--target T] --rp RP [--level L]: the real decision path for a real directory
 * account — its attributes as at sign-in, each named policy's decision with the rule that decided
 * and every rule that matched, the level asked and what the RP admits, the escalation guard's
 * decision, and what the IdP would do.
 */
import type { PolicySnapshot } from '../access/policy-snapshot.js';
import {
  compilePolicies,
  loadIdpConfiguration,
  openDirectory,
  type Location,
} from './cli-context.js';
import {
  askImpersonation,
  SIGN_IN_LABEL,
  type ImpersonationAnswer,
} from './impersonation-question.js';
import { OUTCOME_TEXT } from './impersonation-outcome.js';
import { attributesUsed, policyAnswer, type CliIo } from './policy-output.js';
import { reportProblems } from './policy-problems.js';
import { escalationGuardLines } from './escalation-guard-lines.js';

export interface ExplainArgs {
  readonly user: string;
  readonly target?: string;
  readonly rp: string;
  readonly level?: string;
}

export async function explainCommand(at: Location, args: ExplainArgs, io: CliIo): Promise<number> {
  let config, policies;
  try {
    config = loadIdpConfiguration(at);
    policies = await compilePolicies(config);
  } catch (err) {
    return reportProblems(err, io);
  }
  const directory = await openDirectory(config);
  try {
    const a = await askImpersonation({ config, policies, directory }, args);
    io.out(`Directory:      ${directory.source}`);
    for (const line of [
      ...questionLines(a),
      '',
      ...attributeLines(a, policies),
      '',
      ...policyLines(a),
      ...escalationGuardLines(a, policies),
      '',
    ])
      io.out(line);
    io.out(`Outcome: ${a.mayImpersonate ? 'YES' : 'NO'} — ${OUTCOME_TEXT[a.outcome]}`);
    return a.userFound ? 0 : 1;
  } finally {
    await directory.close();
  }
}

/** Who, where, and as whom. */
function questionLines(a: ImpersonationAnswer): string[] {
  const lines = [
    `User:           ${a.user}${a.userFound ? '' : '  — NOT an enabled account in the directory'}`,
    `Relying party:  ${a.relyingParty}${a.relyingPartyName ? ` (${a.relyingPartyName})` : '  — not configured in relying-party.yaml'}`,
  ];
  const t = a.target;
  if (t) {
    const state = t.problem
      ? `refused before any policy: ${t.problem}`
      : t.protected
        ? 'PROTECTED account: refused whatever the policies say (ProtectedImpersonationTarget)'
        : t.exists === false
          ? 'no such account'
          : '';
    lines.push(
      `Level:          ${a.level.asked || '(none)'} — offered here: ${a.level.offered.join(', ')}; mode ${a.level.mode}`,
      `Target:         ${t.typed}${t.canonical && t.canonical !== t.typed ? ` → ${t.canonical}` : ''}${state ? `  — ${state}` : ''}`,
    );
  }
  return lines;
}

/** The user's values of the attributes the asked policies use. */
function attributeLines(a: ImpersonationAnswer, policies: PolicySnapshot): string[] {
  const used = [a.general.name, a.specific?.name].flatMap((n) =>
    n ? (policies.get(n)?.attributeIds ?? []) : [],
  );
  return [
    `Attributes the policies use (resolved as at sign-in, label ${SIGN_IN_LABEL}):`,
    ...attributesUsed(a.attributes, [...new Set(used)]),
  ];
}

/** Each policy's answer; the specific one marked when the general one keeps it from being asked. */
function policyLines(a: ImpersonationAnswer): string[] {
  const lines = policyAnswer(a.general);
  if (a.specific) {
    const notReached = a.general.allowed ? undefined : 'not reached: the form is not offered';
    lines.push('', ...policyAnswer(a.specific, notReached));
  }
  return lines;
}
