/** The idp.audit.* properties of the audit chain, its checkpoints and rotation, typed and checked. */
import { ConfigurationError } from '../core/errors.js';
import type { PropertyEntry } from '../core/properties.js';
import type { TypedProperties } from './typed-properties.js';

export interface AuditProperties {
  readonly chainEnabled: boolean;
  readonly checkpointRecords: number;
  readonly checkpointIntervalMs: number;
  readonly signingKey: string;
  readonly signingPublicKey: string;
  readonly rotateDaily: boolean;
  /** Bytes; 0: no size rotation. */
  readonly rotateMaxSize: number;
  readonly compress: boolean;
  /** Days; 0: keep all. */
  readonly maxHistoryDays: number;
}

const MIN_ROTATE_SIZE = 1024;

export function auditProperties(
  p: TypedProperties,
  raw: ReadonlyMap<string, PropertyEntry>,
): AuditProperties {
  const rotateMaxSize = p.inRange('idp.audit.rotate.maxSize', 0, 2 ** 50);
  if (rotateMaxSize > 0 && rotateMaxSize < MIN_ROTATE_SIZE) {
    // A tiny limit would rotate (checkpoint, rename, compress) after every record.
    throw new ConfigurationError(
      raw.get('idp.audit.rotate.maxSize')!.source,
      'idp.audit.rotate.maxSize',
      `must be 0 (no size rotation) or at least ${MIN_ROTATE_SIZE} (got ${rotateMaxSize})`,
    );
  }
  return {
    chainEnabled: p.bool('idp.audit.chain.enabled'),
    checkpointRecords: p.inRange('idp.audit.checkpoint.records', 1, 1_000_000),
    checkpointIntervalMs: p.inRange('idp.audit.checkpoint.interval', 1000, 24 * 3600_000),
    signingKey: p.str('idp.audit.signing.key'),
    signingPublicKey: p.str('idp.audit.signing.publicKey'),
    rotateDaily: p.bool('idp.audit.rotate.daily'),
    rotateMaxSize,
    compress: p.bool('idp.audit.rotate.compress'),
    maxHistoryDays: p.inRange('idp.audit.rotate.maxHistory', 0, 36_500),
  };
}
