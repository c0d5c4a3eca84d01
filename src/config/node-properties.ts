/**
 * Who this node is and who stands in front of it: idp.node.id (the name stamped on every audit
 * record and listed in a cluster's status) and idp.trustedProxies (the balancers whose
 * X-Forwarded-For the IdP believes).
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { ConfigurationError } from '../core/errors.js';
import type { PropertyEntry } from '../core/properties.js';
import type { TypedProperties } from './typed-properties.js';

export interface NodeProperties {
  /** idp.trustedProxies: addresses and CIDR ranges whose X-Forwarded-For is believed. */
  readonly trustedProxies: readonly string[];
  /** idp.node.id, or the host name: stamped on every audit record (%node). */
  readonly nodeId: string;
}

export function nodeProperties(
  p: TypedProperties,
  raw: ReadonlyMap<string, PropertyEntry>,
): NodeProperties {
  return {
    trustedProxies: trustedProxies(p.str('idp.trustedProxies'), raw),
    nodeId: nodeId(p.str('idp.node.id'), raw),
  };
}

/** Each entry an IP address or a CIDR range; anything else (a host name, a typo) fails start-up. */
function trustedProxies(value: string, raw: ReadonlyMap<string, PropertyEntry>): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const entry of entries) {
    const [address, bits, more] = entry.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (family === 0 || !prefixOk || more !== undefined)
      throw new ConfigurationError(
        raw.get('idp.trustedProxies')!.source,
        'idp.trustedProxies',
        `${JSON.stringify(entry)} is no IP address or CIDR range (such as 10.0.0.0/8)`,
      );
  }
  return entries;
}

/** A node name fit for a log field and a Redis key: the host name's first label when none is set. */
function nodeId(value: string, raw: ReadonlyMap<string, PropertyEntry>): string {
  const id =
    value === ''
      ? hostname()
          .split('.')[0]!
          .replace(/[^A-Za-z0-9._-]/g, '-')
      : value;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(id))
    throw new ConfigurationError(
      raw.get('idp.node.id')!.source,
      'idp.node.id',
      `must be letters, digits, '.', '_' or '-' (at most 63, starting with a letter or digit; got ${JSON.stringify(id)})`,
    );
  return id;
}
