/**
 * An OpenID Connect client's own metadata document (relying-party.yaml `metadataFile:` of a client):
 * the JSON the client would register with (RFC 7591 §2), as its owner publishes it. The IdP reads
 * one field from it — `impersonation_max_level`, the highest impersonation level the client admits
 * for itself (identify, impersonate or delegate) — and ignores the rest; credentials and redirect
 * URIs stay in relying-party.yaml. A file that is not a JSON object fails start-up with the key.
 */
import path from 'node:path';
import type { ConfNode } from '../core/yaml-conf.js';
import type { ImpersonationLevel } from '../relying-party/rp-impersonation.js';
import { readText } from './conf-files.js';
import { declaredLevel } from './impersonation-conf.js';

/** The client metadata field a client declares its impersonation cap with. */
export const CLIENT_MAX_LEVEL_FIELD = 'impersonation_max_level';

export function clientMetadataLevel(c: ConfNode, confDir: string): ImpersonationLevel | undefined {
  const file = c.optionalString('metadataFile');
  if (file === undefined) return undefined;
  const text = readText(c, 'metadataFile', path.resolve(confDir, file));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    c.fail(`is not JSON: ${(err as Error).message}`, 'metadataFile');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    c.fail('must hold a JSON object (RFC 7591 client metadata)', 'metadataFile');
  const value = (doc as Record<string, unknown>)[CLIENT_MAX_LEVEL_FIELD];
  if (value !== undefined && typeof value !== 'string')
    c.fail(`${CLIENT_MAX_LEVEL_FIELD} must be a string`, 'metadataFile');
  return declaredLevel(value, (m) => c.fail(m, 'metadataFile'));
}
