/**
 * policy explain --user U [--target T] --rp RP: the real decision path for a real directory
 * account — its attributes as at sign-in, each named policy's decision with the rule that decided
 * and every rule that matched, and what the IdP would do.
 */
import { compilePolicies, loadIdpConfiguration, openDirectory, type Location } from './cli-context.js';
import { askImpersonation, OUTCOME_TEXT, SIGN_IN_LABEL } from './impersonation-question.js';
import { attributesUsed, policyAnswer, type CliIo } from './policy-output.js';
import { reportProblems } from './policy-problems.js';

export interface ExplainArgs {
  readonly user: string;
  readonly target?: string;
  readonly rp: string;
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
    const used = [a.general.name, a.specific?.name].flatMap((n) => (n ? (policies.get(n)?.attributeIds ?? []) : []));
    io.out(`Directory:      ${directory.source}`);
    io.out(`User:           ${a.user}${a.userFound ? '' : '  — NOT an enabled account in the directory'}`);
    io.out(`Relying party:  ${a.relyingParty}${a.relyingPartyName ? ` (${a.relyingPartyName})` : '  — not configured in relying-party.yaml'}`);
    if (a.target) {
      const t = a.target;
      const state = t.problem ? `refused before any policy: ${t.problem}` : t.exists === false ? 'no such account' : '';
      io.out(`Target:         ${t.typed}${t.canonical && t.canonical !== t.typed ? ` → ${t.canonical}` : ''}${state ? `  — ${state}` : ''}`);
    }
    io.out('');
    io.out(`Attributes the policies use (resolved as at sign-in, label ${SIGN_IN_LABEL}):`);
    for (const line of attributesUsed(a.attributes, [...new Set(used)])) io.out(line);
    io.out('');
    for (const line of policyAnswer(a.general)) io.out(line);
    if (a.specific) {
      io.out('');
      const notReached = a.general.allowed ? undefined : 'not reached: the form is not offered';
      for (const line of policyAnswer(a.specific, notReached)) io.out(line);
    }
    io.out('');
    io.out(`Outcome: ${a.mayImpersonate ? 'YES' : 'NO'} — ${OUTCOME_TEXT[a.outcome]}`);
    return a.userFound ? 0 : 1;
  } finally {
    directory.close();
  }
}
