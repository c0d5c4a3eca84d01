/**
 * policy status: what the IdP would load from this configuration — each named policy's files,
 * rule counts, whether its decisions are indexed (and why not), and how long the build took.
 * Offline: the running IdP's own status (with reload history) is the admin endpoint's.
 */
import path from 'node:path';
import { ACCESS_CONTROL_FILE, fileLabel } from '../access/policy-files.js';
import { missingPolicies, policyReferences } from '../access/policy-references.js';
import { compilePolicies, loadIdpConfiguration, type Location } from './cli-context.js';
import { policyStatus, type CliIo } from './policy-output.js';
import { reportProblems } from './policy-problems.js';

export async function statusCommand(at: Location, json: boolean, io: CliIo): Promise<number> {
  try {
    const config = loadIdpConfiguration(at);
    const confDir = config.properties.confDir;
    const started = performance.now();
    const snapshot = await compilePolicies(config);
    const loadMs = Math.round(performance.now() - started);
    const references = policyReferences(config.properties.lookup);
    const yaml = fileLabel(confDir, path.join(confDir, ACCESS_CONTROL_FILE));
    const warnings = missingPolicies(references, new Set(snapshot.names), yaml);
    const sourceFiles = [yaml, ...snapshot.sourceFiles.map((f) => fileLabel(confDir, f))];
    if (json) {
      io.out(
        JSON.stringify(
          { confDir, loadMs, sourceFiles, policies: snapshot.status(), references, warnings },
          null,
          2,
        ),
      );
      return 0;
    }
    io.out(
      `Access-control policies of ${confDir} (built in ${loadMs} ms, as the IdP would load them)`,
    );
    for (const p of snapshot.status()) {
      io.out('');
      for (const line of policyStatus(
        p,
        references.filter((r) => r.name === p.name).map((r) => r.property),
      ))
        io.out(line);
    }
    io.out('');
    io.out(`Files: ${sourceFiles.join(', ')}`);
    for (const w of warnings) io.out(`WARNING: ${w}`);
    return 0;
  } catch (err) {
    return reportProblems(err, io);
  }
}
