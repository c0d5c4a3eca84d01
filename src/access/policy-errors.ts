/**
 * All the problems found in the access-control policies at once (every bad line of every file),
 * as one ConfigurationError: the IdP refuses to start on it, a reload keeps the last good policies
 * and logs it, and `policy validate` lists each problem.
 *
 * A problem may quote what a file holds (an unknown row type, a misspelt effect, a YAML key), and
 * its message goes to the process log, the console, the admin page, JSON and the policy CLI. So
 * every problem is made printable here, once, for all of them: control characters, bidi
 * overrides and other invisible characters are written as \uXXXX escapes (safeForLog).
 */
import { ConfigurationError } from '../core/errors.js';
import { safeForLog } from '../logging/process-log.js';

export class PolicyErrors extends ConfigurationError {
  readonly problems: readonly ConfigurationError[];

  constructor(problems: readonly ConfigurationError[]) {
    const printable = problems.map(printableProblem);
    const [first, ...others] = printable;
    if (!first) throw new Error('PolicyErrors needs at least one problem');
    super(first.file, first.key, [problemOf(first), ...others.map((e) => e.message)].join('\n'));
    this.name = 'PolicyErrors';
    this.problems = printable;
  }

  /** Every problem of an error thrown while loading policies, printable. */
  static of(err: unknown): readonly ConfigurationError[] {
    if (err instanceof PolicyErrors) return err.problems;
    return err instanceof ConfigurationError ? [printableProblem(err)] : [];
  }
}

/** The problem without its "file: key: " prefix. */
function problemOf(e: ConfigurationError): string {
  return e.message.slice(`${e.file}: ${e.key}: `.length);
}

function printableProblem(e: ConfigurationError): ConfigurationError {
  const problem = problemOf(e);
  const [file, key, text] = [e.file, e.key, problem].map(safeForLog) as [string, string, string];
  if (file === e.file && key === e.key && text === problem) return e;
  return new ConfigurationError(file, key, text, { cause: e });
}
