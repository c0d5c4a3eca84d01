/**
 * The bytes of the AuthnRequest in a SAMLRequest parameter, within the size limit before anything
 * parses them. Redirect: base64 of raw DEFLATE. POST: base64 of the XML — though some SPs
 * (node-saml by default) deflate it anyway, so bytes that do not start like XML get one bounded
 * inflate.
 */
import { inflateRawSync } from 'node:zlib';
import { IdpError } from '../../core/errors.js';
import { malformed } from './inbound-errors.js';
import type { InboundBinding } from './saml-bindings.js';
import { strictBase64 } from './strict-base64.js';

const STARTS_LIKE_XML = /^(\uFEFF)?\s*</;

export function messageBytes(encoded: string, binding: InboundBinding, max: number): Buffer {
  const bytes = strictBase64(encoded);
  if (!bytes) throw malformed('SAMLRequest is not base64');
  if (binding === 'post' && STARTS_LIKE_XML.test(bytes.subarray(0, 64).toString('utf8')))
    return withinLimit(bytes, max);
  return inflated(bytes, binding, max);
}

function withinLimit(bytes: Buffer, max: number): Buffer {
  if (bytes.length > max) throw tooLarge(max);
  return bytes;
}

/** Inflated with the limit as zlib's output cap, so a DEFLATE bomb stops at the limit. */
function inflated(bytes: Buffer, binding: InboundBinding, max: number): Buffer {
  try {
    return inflateRawSync(bytes, { maxOutputLength: max });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(max);
    throw malformed(
      binding === 'redirect'
        ? 'SAMLRequest is not DEFLATE-compressed'
        : 'SAMLRequest is neither XML nor DEFLATE-compressed XML',
      err,
    );
  }
}

function tooLarge(max: number): IdpError {
  return new IdpError('MESSAGE_TOO_LARGE', `AuthnRequest is larger than ${max} bytes`);
}
