/**
 * `audit verify`: checks each node's chain and signed checkpoints with verifyAuditTrail
 * (src/audit/verify/audit-verify.ts) and prints its report. The public keys are --public-key files
 * (SPKI PEM), else the configured idp.audit.signing.publicKey
 * (default %{idp.home}/credentials/idp-audit.pub).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  formatVerifyReport,
  verifyAuditTrail,
  verifyExitCode,
} from '../audit/verify/audit-verify.js';
import { loadProps, UsageError, type AuditSetup } from './audit-options.js';
import type { Location } from './cli-context.js';
import type { AuditOut } from './audit-output.js';

export async function verifyCommand(
  setup: AuditSetup,
  at: Location,
  keyFiles: readonly string[],
  out: AuditOut,
): Promise<number> {
  const publicKeys = (keyFiles.length > 0 ? keyFiles : [defaultKeyFile(setup, at)]).map(readKey);
  const report = await verifyAuditTrail(
    setup.nodes.map((n) => [...n.files]),
    { publicKeys, format: [...setup.tokens] },
  );
  out.write(formatVerifyReport(report));
  await out.flush(true);
  return verifyExitCode(report);
}

function defaultKeyFile(setup: AuditSetup, at: Location): string {
  const props = setup.properties ?? loadProps(at);
  return (
    props.lookup('idp.audit.signing.publicKey') ??
    path.join(props.home, 'credentials', 'idp-audit.pub')
  );
}

function readKey(file: string): KeyObject {
  if (!existsSync(file))
    throw new UsageError(
      `${file}: no such public key file (name the audit key with --public-key FILE)`,
    );
  try {
    return createPublicKey(readFileSync(file));
  } catch (err) {
    throw new UsageError(`${file}: not a public key (SPKI PEM): ${(err as Error).message}`);
  }
}
