/**
 * The two refusals every check of an inbound SAML message ends in, one place for their codes (and
 * so their events and HTTP statuses): a message that cannot be read as a SAML request
 * (MESSAGE_MALFORMED), and a signature that is not accepted (MESSAGE_AUTHENTICATION_FAILED).
 * Size and time limits have their own codes, raised where the limit is.
 */
import { IdpError } from '../../core/errors.js';

export function malformed(message: string, cause?: unknown): IdpError {
  return new IdpError('MESSAGE_MALFORMED', message, { cause });
}

export function refused(why: string): IdpError {
  return new IdpError('MESSAGE_AUTHENTICATION_FAILED', `signature refused: ${why}`);
}

/** libxml2's messages run over several lines; a refusal quotes the first. */
export function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}
