/** Configuration problems as the policy CLI reports them: one "file:line: key: problem" per line. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PolicyErrors } from '../access/policy-errors.js';
import { fileLabel } from '../access/policy-files.js';
import { PROPERTIES_FILE } from '../config/property-sources.js';
import { parseProperties } from '../core/properties.js';
import type { CliIo } from './policy-output.js';

/** Prints every problem of a configuration error and returns the exit status; rethrows anything else. */
export function reportProblems(
  err: unknown,
  io: CliIo,
  consequence = 'the IdP would not start with this configuration',
): number {
  const problems = PolicyErrors.of(err);
  if (problems.length === 0) throw err;
  for (const p of problems) io.err(p.message);
  io.err(`${problems.length} problem${problems.length === 1 ? '' : 's'}: ${consequence}`);
  return 1;
}

/** Where a property is set ("conf/idp.properties:37"), or the properties file when it is not. */
export function propertyLocation(confDir: string, key: string): string {
  const file = path.join(confDir, PROPERTIES_FILE);
  const label = fileLabel(confDir, file);
  if (!existsSync(file)) return label;
  return parseProperties(readFileSync(file, 'utf8'), label).get(key)?.source ?? label;
}
