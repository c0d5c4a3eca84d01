/**
 * policy validate: does the IdP's configuration load, does every model and policy file parse and
 * compile (matcher syntax, tokens, functions, rows), and does every policy name a property refers
 * to exist? Every problem is printed as file:line; any problem exits non-zero. A relying party the
 * attribute filter releases nothing to is a warning, as at start-up (relying-party/release-warnings.ts).
 */
import path from 'node:path';
import { ACCESS_CONTROL_FILE, fileLabel } from '../access/policy-files.js';
import { policyReferences } from '../access/policy-references.js';
import { relyingPartiesWithoutRelease } from '../relying-party/release-warnings.js';
import { compilePolicies, loadIdpConfiguration, type Location } from './cli-context.js';
import type { CliIo } from './policy-output.js';
import { propertyLocation, reportProblems } from './policy-problems.js';

export async function validateCommand(at: Location, io: CliIo): Promise<number> {
  let summary: string[];
  try {
    const config = loadIdpConfiguration(at);
    const confDir = config.properties.confDir;
    const snapshot = await compilePolicies(config);
    const yaml = fileLabel(confDir, path.join(confDir, ACCESS_CONTROL_FILE));
    const undefinedNames = policyReferences(config.properties.lookup).filter(
      (r) => !snapshot.get(r.name),
    );
    for (const r of undefinedNames.filter((u) => u.optional)) {
      io.out(
        `note: ${r.property} names policy '${r.name}', which ${yaml} does not define: that feature denies every request (intended when it is not wanted)`,
      );
    }
    const missing = undefinedNames.filter((r) => !r.optional);
    for (const r of missing) {
      io.err(
        `${propertyLocation(confDir, r.property)}: ${r.property}: names policy '${r.name}', which ${yaml} does not define (a missing policy denies every check)`,
      );
    }
    if (missing.length > 0) {
      io.err(`${missing.length} problem${missing.length === 1 ? '' : 's'}`);
      return 1;
    }
    for (const line of relyingPartiesWithoutRelease(
      config.relyingParties,
      config.attributeFilterPolicies,
    ))
      io.out(`warning: ${line}`);
    summary = snapshot.status().map(
      (p) =>
        `  ${p.name}: ${Object.entries(p.rules)
          .map(([t, n]) => `${n} ${t}`)
          .join(', ')}; ${p.indexed ? 'indexed' : `plain casbin (${p.note ?? ''})`}`,
    );
  } catch (err) {
    return reportProblems(err, io);
  }
  io.out(
    `OK: ${summary.length} access-control ${summary.length === 1 ? 'policy' : 'policies'}; every file parses and compiles; every policy the impersonate flow names exists`,
  );
  for (const line of summary) io.out(line);
  return 0;
}
