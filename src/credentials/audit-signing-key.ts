/**
 * The audit key: the Ed25519 pair that signs the audit chain's checkpoints, kept apart from the
 * SAML and OIDC keys so that it can be held (and rotated) by whoever answers for the audit trail.
 * Read from idp.audit.signing.key (PKCS#8 PEM, mode 0600) and idp.audit.signing.publicKey (SPKI
 * PEM). When both are missing a pair is generated there with a warning, like the other demo
 * credentials; one without the other is an error, and so is a file that cannot be read or written:
 * the IdP does not start with an audit trail it cannot sign (fail closed).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import path from 'node:path';
import { keyIdOf, type CheckpointKey } from '../audit/chain/audit-checkpoint.js';
import { ConfigurationError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';

export interface AuditSigningKey extends CheckpointKey {
  readonly publicKey: KeyObject;
}

const KEY = 'idp.audit.signing.key';
const PUBLIC_KEY = 'idp.audit.signing.publicKey';

export function loadAuditSigningKey(
  files: { key: string; publicKey: string },
  log: ProcessLog,
): AuditSigningKey {
  const hasKey = existsSync(files.key);
  const hasPublic = existsSync(files.publicKey);
  if (!hasKey && !hasPublic) {
    log.warn(
      `No audit signing key at ${files.key}; generating an Ed25519 key pair for the audit checkpoints. Keep ${files.publicKey} where auditors can verify with it, and back up the private key.`,
    );
    generate(files);
  } else if (!hasKey || !hasPublic) {
    const missing = hasKey ? files.publicKey : files.key;
    throw new ConfigurationError('idp.properties', hasKey ? PUBLIC_KEY : KEY, `file not found: ${missing} (the other file of the pair exists; restore it, or remove both to generate a new pair)`);
  }
  const privateKey = parse(KEY, files.key, (pem) => createPrivateKey(pem));
  const publicKey = parse(PUBLIC_KEY, files.publicKey, (pem) => createPublicKey(pem));
  for (const [key, file, k] of [
    [KEY, files.key, privateKey],
    [PUBLIC_KEY, files.publicKey, publicKey],
  ] as const) {
    if (k.asymmetricKeyType !== 'ed25519')
      throw new ConfigurationError('idp.properties', key, `${file} holds a ${k.asymmetricKeyType ?? 'unknown'} key; the audit key must be Ed25519`);
  }
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!derived.equals(publicKey.export({ type: 'spki', format: 'der' })))
    throw new ConfigurationError('idp.properties', PUBLIC_KEY, `${files.publicKey} is not the public key of ${files.key}`);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

function generate(files: { key: string; publicKey: string }): void {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  for (const [key, file, pem, mode] of [
    [KEY, files.key, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600],
    [PUBLIC_KEY, files.publicKey, publicKey.export({ type: 'spki', format: 'pem' }), 0o644],
  ] as const) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, pem, { mode, flag: 'wx' });
    } catch (err) {
      throw new ConfigurationError('idp.properties', key, `cannot write ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function parse(key: string, file: string, read: (pem: string) => KeyObject): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigurationError('idp.properties', key, `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return read(pem);
  } catch (err) {
    throw new ConfigurationError('idp.properties', key, `not a PEM key: ${file}`, { cause: err });
  }
}
