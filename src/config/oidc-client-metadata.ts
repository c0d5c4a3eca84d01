/**
 * An OpenID Connect client's own metadata document (relying-party.yaml `metadataFile:` of a client):
 * the JSON the client would register with (RFC 7591 §2), as its owner publishes it. The IdP reads
 * one field from it — `impersonation_max_level`, the highest impersonation level the client admits
 * for itself (identify, impersonate or delegate) — and ignores the rest; credentials and redirect
 * URIs stay in relying-party.yaml. A file that is not a JSON object, a bad field, or a `client_id`
 * naming another client (the document of the wrong client) fails start-up with the key.
 */
import path from 'node:path';
import type { ConfNode } from '../core/yaml-conf.js';
import type { ImpersonationLevel } from '../relying-party/rp-impersonation.js';
import { readText } from './conf-files.js';
import { declaredLevel } from './impersonation-conf.js';

/** The client metadata field a client declares its impersonation cap with. */
export const CLIENT_MAX_LEVEL_FIELD = 'impersonation_max_level';

export function clientMetadataLevel(
  c: ConfNode,
  clientId: string,
  confDir: string,
): ImpersonationLevel | undefined {
  const file = c.optionalString('metadataFile');
  if (file === undefined) return undefined;
  const doc = parseObject(c, readText(c, 'metadataFile', path.resolve(confDir, file)));
  const id = doc.client_id;
  if (id !== undefined && id !== clientId)
    c.fail(
      `describes client_id ${JSON.stringify(id)}, not ${JSON.stringify(clientId)}`,
      'metadataFile',
    );
  const value = doc[CLIENT_MAX_LEVEL_FIELD];
  if (value !== undefined && typeof value !== 'string')
    c.fail(`${CLIENT_MAX_LEVEL_FIELD} must be a string`, 'metadataFile');
  return declaredLevel(value, CLIENT_MAX_LEVEL_FIELD, (m) => c.fail(m, 'metadataFile'));
}

/** The document as a JSON object (a leading byte-order mark, as some editors write, is dropped). */
function parseObject(c: ConfNode, text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    c.fail(`is not JSON: ${(err as Error).message}`, 'metadataFile');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    c.fail('must hold a JSON object (RFC 7591 client metadata)', 'metadataFile');
  return doc as Record<string, unknown>;
}
