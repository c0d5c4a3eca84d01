/**
 * policy test FILE: checks every expectation of an expectations file (see expectations.ts)
 * against the real decision path, prints each mismatch with its line and why the policy decided
 * as it did, and exits non-zero when any expectation fails.
 */
import path from 'node:path';
import { policyReferences } from '../access/policy-references.js';
import { compilePolicies, loadIdpConfiguration, openDirectory, type Location } from './cli-context.js';
import { readExpectations, WHOLE_QUESTION, type Expectation } from './expectations.js';
import { askImpersonation, askPolicy, OUTCOME_TEXT, type QuestionContext } from './impersonation-question.js';
import { rule, verdict, type CliIo } from './policy-output.js';
import { reportProblems } from './policy-problems.js';

export async function testCommand(at: Location, file: string, io: CliIo): Promise<number> {
  let ctx: Omit<QuestionContext, 'directory'>;
  let expectations: Expectation[];
  try {
    const config = loadIdpConfiguration(at);
    const policies = await compilePolicies(config);
    ctx = { config, policies };
  } catch (err) {
    return reportProblems(err, io);
  }
  try {
    const names = new Set([...ctx.policies.names, ...policyReferences(ctx.config.properties.lookup).map((r) => r.name)]);
    expectations = readExpectations(path.resolve(file), ctx.config.properties.lookup, names);
  } catch (err) {
    return reportProblems(err, io, 'nothing was tested');
  }
  const directory = await openDirectory(ctx.config);
  let checks = 0;
  let failures = 0;
  try {
    for (const e of expectations) {
      const answer = await askImpersonation({ ...ctx, directory }, e);
      const question = `${e.user}${e.target === undefined ? '' : ` as ${e.target}`} at ${e.rp}`;
      if (!answer.userFound) {
        failures++;
        io.out(`FAIL ${e.at}: ${question}: ${e.user} is not an enabled account in the directory`);
        continue;
      }
      for (const [name, expected] of e.expect) {
        checks++;
        const policy = name === WHOLE_QUESTION ? undefined : askPolicy({ ...ctx, directory }, answer, name);
        const actual = policy ? policy.allowed : answer.mayImpersonate;
        if (actual === expected) continue;
        failures++;
        const decided = policy?.explanation?.decision.matchedAt?.[0];
        const rules = policy?.explanation?.matches ?? [];
        const why = !policy
          ? OUTCOME_TEXT[answer.outcome]
          : !policy.explanation
            ? 'no such policy: a missing policy denies'
            : decided
              ? `decided by ${rule(rules.find((m) => m.at === decided)!)}`
              : rules.length === 0
                ? 'no rule matches: denied by default'
                : 'no rule decides: denied by default';
        io.out(`FAIL ${e.at}: ${question}: ${name}: expected ${verdict(expected)}, got ${verdict(actual)} (${why})${e.note ? ` — ${e.note}` : ''}`);
      }
    }
  } finally {
    directory.close();
  }
  const summary = `${file}: ${expectations.length} expectations, ${checks} checks, ${failures} failed (directory: ${directory.source})`;
  if (failures > 0) io.err(summary);
  else io.out(summary);
  return failures > 0 ? 1 : 0;
}
