/**
 * Typed errors with stable codes. Every failure the IdP reports to a person or a log line is an
 * IdpError: `code` is for programs and tests, `event` is the Shibboleth-style event id that picks the
 * error page text (conf/messages.properties) and the LocalEventMap entry (conf/errors.yaml).
 */
import { EVENTS, type IdpEvent } from './events.js';

export type IdpErrorCode =
  | 'CONFIGURATION_INVALID'
  | 'METADATA_INVALID'
  | 'UNKNOWN_RELYING_PARTY'
  | 'MESSAGE_MALFORMED'
  | 'METHOD_NOT_ALLOWED'
  | 'REQUEST_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MESSAGE_AUTHENTICATION_FAILED'
  | 'ENDPOINT_RESOLUTION_FAILED'
  | 'MESSAGE_TOO_LARGE'
  | 'MESSAGE_TIMEOUT'
  | 'REQUEST_CAPACITY_EXCEEDED'
  | 'FLOW_EXECUTION_STALE'
  | 'AUDIT_WRITE_FAILED'
  | 'SESSION_STORE_FAILED'
  | 'DIRECTORY_FAILED'
  | 'STORAGE_BUSY'
  | 'SHARED_STORE_FAILED'
  | 'PERSISTENT_ID_STORE_FAILED'
  | 'ACCESS_DENIED'
  | 'CSRF_TOKEN_INVALID'
  | 'NOT_FOUND'
  | 'INTERNAL';

/** The event of each code; the HTTP status is the event's (events.ts) unless the code has its own. */
const EVENT_BY_CODE: Record<IdpErrorCode, { readonly event: IdpEvent; readonly status?: number }> =
  {
    CONFIGURATION_INVALID: { event: 'InvalidConfiguration' },
    // A metadata provider's document was refused (bad signature, expired, unreadable).
    METADATA_INVALID: { event: 'InvalidConfiguration' },
    UNKNOWN_RELYING_PARTY: { event: 'UnknownRelyingParty' },
    MESSAGE_MALFORMED: { event: 'UnableToDecode' },
    METHOD_NOT_ALLOWED: { event: 'MethodNotAllowed' },
    REQUEST_TOO_LARGE: { event: 'RequestTooLarge' },
    UNSUPPORTED_MEDIA_TYPE: { event: 'UnsupportedMediaType' },
    MESSAGE_AUTHENTICATION_FAILED: { event: 'MessageAuthenticationError' },
    ENDPOINT_RESOLUTION_FAILED: { event: 'EndpointResolutionFailed' },
    MESSAGE_TOO_LARGE: { event: 'UnableToDecode', status: 413 },
    MESSAGE_TIMEOUT: { event: 'UnableToDecode', status: 408 },
    REQUEST_CAPACITY_EXCEEDED: { event: 'RequestCapacityExceeded' },
    FLOW_EXECUTION_STALE: { event: 'StaleRequest' },
    AUDIT_WRITE_FAILED: { event: 'AuditLogFailure' },
    SESSION_STORE_FAILED: { event: 'SessionStoreFailure' },
    DIRECTORY_FAILED: { event: 'DirectoryFailure' },
    STORAGE_BUSY: { event: 'StorageBusy' },
    // Redis (idp.storage.type = redis) unreachable, too slow or refusing: nothing is released.
    SHARED_STORE_FAILED: { event: 'SharedStoreFailure' },
    // No identifier can be released: the SP gets a Responder error, the person a 503.
    PERSISTENT_ID_STORE_FAILED: { event: 'RuntimeException', status: 503 },
    // The shared store (Redis) of OIDC state failed or did not answer in time: nothing is issued.
    ACCESS_DENIED: { event: 'AccessDenied' },
    CSRF_TOKEN_INVALID: { event: 'InvalidCSRFToken' },
    NOT_FOUND: { event: 'NotFound' },
    INTERNAL: { event: 'RuntimeException' },
  };

export class IdpError extends Error {
  readonly code: IdpErrorCode;
  readonly event: IdpEvent;
  readonly status: number;

  constructor(code: IdpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdpError';
    this.code = code;
    const { event, status } = EVENT_BY_CODE[code];
    this.event = event;
    this.status = status ?? EVENTS[event].status;
  }
}

/** A configuration problem found at start-up; the message always names the file and the key. */
export class ConfigurationError extends IdpError {
  readonly file: string;
  readonly key: string;

  constructor(file: string, key: string, problem: string, options?: { cause?: unknown }) {
    super('CONFIGURATION_INVALID', `${file}: ${key}: ${problem}`, options);
    this.name = 'ConfigurationError';
    this.file = file;
    this.key = key;
  }
}

/** Wraps anything thrown into an IdpError so the edge only ever sees one shape. */
export function asIdpError(value: unknown): IdpError {
  if (value instanceof IdpError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new IdpError('INTERNAL', message, { cause: value });
}
