/**
 * policy test FILE: checks every expectation of an expectations file (see expectations.ts)
 * against the real decision path, prints each mismatch with its line and why the policy decided
 * as it did, and exits non-zero when any expectation fails.
 */
import path from 'node:path';
import { policyReferences } from '../access/policy-references.js';
import {
  compilePolicies,
  loadIdpConfiguration,
  openDirectory,
  type CliDirectory,
  type Location,
} from './cli-context.js';
import { readExpectations, WHOLE_QUESTION, type Expectation } from './expectations.js';
import {
  askImpersonation,
  askPolicy,
  type ImpersonationAnswer,
  type PolicyAnswer,
  type QuestionContext,
} from './impersonation-question.js';
import { OUTCOME_TEXT } from './impersonation-outcome.js';
import { rule, verdict, type CliIo } from './policy-output.js';
import { reportProblems } from './policy-problems.js';

type OfflineContext = Omit<QuestionContext, 'directory'>;

interface Tally {
  checks: number;
  failures: number;
}

export async function testCommand(at: Location, file: string, io: CliIo): Promise<number> {
  let ctx: OfflineContext;
  let expectations: Expectation[];
  try {
    const config = loadIdpConfiguration(at);
    const policies = await compilePolicies(config);
    ctx = { config, policies };
  } catch (err) {
    return reportProblems(err, io);
  }
  try {
    expectations = expectationsOf(ctx, file);
  } catch (err) {
    return reportProblems(err, io, 'nothing was tested');
  }
  const directory = await openDirectory(ctx.config);
  const tally: Tally = { checks: 0, failures: 0 };
  try {
    for (const e of expectations) await check({ ...ctx, directory }, e, tally, io);
  } finally {
    await directory.close();
  }
  return summarize(file, expectations.length, tally, directory, io);
}

/** The expectations file, its policy names checked against those defined and referenced. */
function expectationsOf(ctx: OfflineContext, file: string): Expectation[] {
  const names = new Set([
    ...ctx.policies.names,
    ...policyReferences(ctx.config.properties.lookup).map((r) => r.name),
  ]);
  return readExpectations(path.resolve(file), ctx.config.properties.lookup, names);
}

/** Checks one expectation, printing each mismatch. */
async function check(ctx: QuestionContext, e: Expectation, tally: Tally, io: CliIo): Promise<void> {
  const answer = await askImpersonation(ctx, e);
  const question = `${e.user}${e.target === undefined ? '' : ` as ${e.target}`} at ${e.rp}`;
  if (!answer.userFound) {
    tally.failures++;
    io.out(`FAIL ${e.at}: ${question}: ${e.user} is not an enabled account in the directory`);
    return;
  }
  for (const [name, expected] of e.expect) {
    tally.checks++;
    const policy = name === WHOLE_QUESTION ? undefined : askPolicy(ctx, answer, name);
    const actual = policy ? policy.allowed : answer.mayImpersonate;
    if (actual === expected) continue;
    tally.failures++;
    io.out(
      `FAIL ${e.at}: ${question}: ${name}: expected ${verdict(expected)}, got ${verdict(actual)} (${why(answer, policy)})${e.note ? ` — ${e.note}` : ''}`,
    );
  }
}

/** Why the answer is what it is: the whole question's outcome, or how the policy decided. */
function why(answer: ImpersonationAnswer, policy: PolicyAnswer | undefined): string {
  if (!policy) return OUTCOME_TEXT[answer.outcome];
  if (!policy.explanation) return 'no such policy: a missing policy denies';
  const decided = policy.explanation.decision.matchedAt?.[0];
  const rules = policy.explanation.matches;
  if (decided) return `decided by ${rule(rules.find((m) => m.at === decided)!)}`;
  return rules.length === 0
    ? 'no rule matches: denied by default'
    : 'no rule decides: denied by default';
}

function summarize(
  file: string,
  expectations: number,
  tally: Tally,
  directory: CliDirectory,
  io: CliIo,
): number {
  const summary = `${file}: ${expectations} expectations, ${tally.checks} checks, ${tally.failures} failed (directory: ${directory.source})`;
  if (tally.failures > 0) io.err(summary);
  else io.out(summary);
  return tally.failures > 0 ? 1 : 0;
}
