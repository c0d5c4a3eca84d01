/**
 * Signed checkpoints of the audit chain (docs/auditing.md, "Tamper evidence"). A checkpoint binds
 * the chain up to one record with the audit key: whoever edits, removes or reorders a line before
 * it must also forge an Ed25519 signature. Pure functions over keys and strings, shared by the
 * writer (which signs) and `audit verify` (which checks).
 *
 * Signed text: "idp-audit-checkpoint|<covers>|<hash>", where covers is the seq of the record just
 * before the checkpoint and hash its base64url chain hash. Key id: the first 16 characters of the
 * base64url SHA-256 of the public key's SPKI DER, so a verifier can tell which key was meant.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

const PAYLOAD_PREFIX = 'idp-audit-checkpoint';

/** What signs checkpoints: the audit key's private half and its key id (credentials/audit-signing-key.ts). */
export interface CheckpointKey {
  readonly privateKey: KeyObject;
  readonly keyId: string;
}

/** The exact UTF-8 text a checkpoint signs. */
export function checkpointPayload(covers: number, hashB64: string): string {
  return `${PAYLOAD_PREFIX}|${covers}|${hashB64}`;
}

/** The key id written in a checkpoint's `key=` detail. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 16);
}

/** base64url Ed25519 signature of the checkpoint payload. */
export function signCheckpoint(privateKey: KeyObject, covers: number, hashB64: string): string {
  return sign(null, Buffer.from(checkpointPayload(covers, hashB64), 'utf8'), privateKey).toString(
    'base64url',
  );
}

/** Whether `sigB64` is the audit key's signature of the checkpoint of record `covers`. */
export function verifyCheckpoint(
  publicKey: KeyObject,
  covers: number,
  hashB64: string,
  sigB64: string,
): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(sigB64)) return false;
  try {
    return verify(
      null,
      Buffer.from(checkpointPayload(covers, hashB64), 'utf8'),
      publicKey,
      Buffer.from(sigB64, 'base64url'),
    );
  } catch {
    return false;
  }
}

/** The `det` values of a checkpoint record, in the documented order. */
export function checkpointDetails(
  reason: 'interval' | 'shutdown' | 'rotation',
  covers: number,
  hash: Buffer,
  key: CheckpointKey,
): string[] {
  const hashB64 = hash.toString('base64url');
  return [
    `reason=${reason}`,
    `covers=${covers}`,
    `hash=${hashB64}`,
    `key=${key.keyId}`,
    `sig=${signCheckpoint(key.privateKey, covers, hashB64)}`,
  ];
}
