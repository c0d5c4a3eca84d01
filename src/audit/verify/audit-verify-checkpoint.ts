/**
 * A checkpoint record against the chain: it must name the record just before it (covers = its seq,
 * hash = its hash) and carry an Ed25519 signature, by one of the given audit keys, over
 * checkpointPayload(covers, hash). The chain alone is unkeyed; this is what binds it.
 */
import type { KeyObject } from 'node:crypto';
import type { ChainLink } from '../chain/audit-chain.js';
import type { ProblemKind } from './audit-verify-types.js';
import { keyIdOf, verifyCheckpoint } from '../chain/audit-checkpoint.js';

export type KeyRing = ReadonlyMap<string, KeyObject>;

export function keyRing(publicKeys: readonly KeyObject[]): KeyRing {
  return new Map(publicKeys.map((k) => [keyIdOf(k), k]));
}

export interface CheckpointFinding {
  readonly kind: Extract<ProblemKind, 'bad-checkpoint' | 'unknown-key'>;
  readonly detail: string;
}

/** Undefined when the checkpoint is good. */
export function checkCheckpoint(
  det: ReadonlyMap<string, string>,
  before: ChainLink,
  keys: KeyRing,
): CheckpointFinding | undefined {
  const covers = det.get('covers') ?? '';
  const hash = det.get('hash') ?? '';
  const beforeHash = before.hash.toString('base64url');
  if (covers !== String(before.seq) || hash !== beforeHash) {
    return {
      kind: 'bad-checkpoint',
      detail:
        `the checkpoint says it covers seq ${covers} with hash ${hash}, but the record before it is ` +
        `seq ${before.seq} with hash ${beforeHash}: records it covered were rewritten and their chain recomputed`,
    };
  }
  const keyId = det.get('key') ?? '';
  const key = keys.get(keyId);
  if (!key) {
    const known = [...keys.keys()].join(', ') || 'none';
    return {
      kind: 'unknown-key',
      detail: `the checkpoint is signed with key id ${keyId}, which is none of the public keys given (${known})`,
    };
  }
  if (!verifyCheckpoint(key, before.seq, beforeHash, det.get('sig') ?? '')) {
    return {
      kind: 'bad-checkpoint',
      detail: `the checkpoint's signature does not verify with the public key ${keyId}`,
    };
  }
  return undefined;
}
