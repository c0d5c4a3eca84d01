/**
 * All the problems found in the access-control policies at once (every bad line of every file),
 * as one ConfigurationError: the IdP refuses to start on it, a reload keeps the last good policies
 * and logs it, and `policy validate` lists each problem.
 */
import { ConfigurationError } from '../errors.js';

export class PolicyErrors extends ConfigurationError {
  constructor(readonly problems: readonly ConfigurationError[]) {
    const [first, ...others] = problems;
    if (!first) throw new Error('PolicyErrors needs at least one problem');
    const problem = first.message.slice(`${first.file}: ${first.key}: `.length);
    super(first.file, first.key, [problem, ...others.map((e) => e.message)].join('\n'));
    this.name = 'PolicyErrors';
  }

  /** Every problem of an error thrown while loading policies. */
  static of(err: unknown): readonly ConfigurationError[] {
    if (err instanceof PolicyErrors) return err.problems;
    return err instanceof ConfigurationError ? [err] : [];
  }
}
