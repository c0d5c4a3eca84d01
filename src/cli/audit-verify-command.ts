/**
 * `audit verify`: checks each node's chain and signed checkpoints with verifyAuditTrail
 * (src/audit/audit-verify.ts) and prints its report. The public keys are --public-key files
 * (SPKI PEM), else the configured idp.audit.signing.publicKey
 * (default %{idp.home}/credentials/idp-audit.pub).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditFile } from '../audit/audit-files.js';
import { loadProps, UsageError, type AuditSetup } from './audit-options.js';
import type { Location } from './cli-context.js';
import type { AuditOut } from './audit-output.js';

/** The verifier's interface, as agreed in the issue 9 design (docs: "Reader API"). */
interface VerifyModule {
  verifyAuditTrail(
    nodes: AuditFile[][],
    options: { publicKeys: KeyObject[] },
  ): Promise<{ readonly ok: boolean }>;
  formatVerifyReport(report: { readonly ok: boolean }): string | readonly string[];
}

// Loaded when the command runs, so the other commands work without the verifier's module.
const VERIFIER = '../audit/audit-verify.js';

export async function verifyCommand(
  setup: AuditSetup,
  at: Location,
  keyFiles: readonly string[],
  out: AuditOut,
): Promise<number> {
  const publicKeys = (keyFiles.length > 0 ? keyFiles : [defaultKeyFile(setup, at)]).map(readKey);
  const verifier = await loadVerifier();
  if (!verifier) {
    out.err(`audit verify: the verifier (${VERIFIER}) is not part of this installation`);
    return 1;
  }
  const report = await verifier.verifyAuditTrail(
    setup.nodes.map((n) => [...n.files]),
    { publicKeys },
  );
  const text = verifier.formatVerifyReport(report);
  for (const line of typeof text === 'string' ? [text] : text) out.write(`${line}\n`);
  await out.flush(true);
  return report.ok ? 0 : 1;
}

async function loadVerifier(): Promise<VerifyModule | undefined> {
  try {
    return (await import(VERIFIER)) as VerifyModule;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
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
