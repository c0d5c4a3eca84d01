/**
 * Typed errors with stable codes. Every failure the IdP reports to a person or a log line is an
 * IdpError: `code` is for programs and tests, `event` is the Shibboleth-style event id that picks the
 * error page text (conf/messages.properties) and the LocalEventMap entry (conf/errors.yaml).
 */
export type IdpErrorCode =
  | 'CONFIGURATION_INVALID'
  | 'UNKNOWN_RELYING_PARTY'
  | 'MESSAGE_MALFORMED'
  | 'METHOD_NOT_ALLOWED'
  | 'REQUEST_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MESSAGE_AUTHENTICATION_FAILED'
  | 'MESSAGE_TOO_LARGE'
  | 'MESSAGE_TIMEOUT'
  | 'REQUEST_CAPACITY_EXCEEDED'
  | 'CSRF_TOKEN_INVALID'
  | 'FLOW_EXECUTION_STALE'
  | 'AUDIT_WRITE_FAILED'
  | 'SESSION_STORE_FAILED'
  | 'DIRECTORY_FAILED'
  | 'STORAGE_BUSY'
  | 'PROFILE_CONFIGURATION_INVALID'
  | 'ACCESS_DENIED'
  | 'NOT_FOUND'
  | 'INTERNAL';

const EVENT_BY_CODE: Record<IdpErrorCode, { event: string; status: number }> = {
  CONFIGURATION_INVALID: { event: 'InvalidConfiguration', status: 500 },
  UNKNOWN_RELYING_PARTY: { event: 'UnknownRelyingParty', status: 400 },
  MESSAGE_MALFORMED: { event: 'UnableToDecode', status: 400 },
  METHOD_NOT_ALLOWED: { event: 'MethodNotAllowed', status: 405 },
  REQUEST_TOO_LARGE: { event: 'RequestTooLarge', status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { event: 'UnsupportedMediaType', status: 415 },
  MESSAGE_AUTHENTICATION_FAILED: { event: 'MessageAuthenticationError', status: 400 },
  MESSAGE_TOO_LARGE: { event: 'UnableToDecode', status: 413 },
  MESSAGE_TIMEOUT: { event: 'UnableToDecode', status: 408 },
  REQUEST_CAPACITY_EXCEEDED: { event: 'RequestCapacityExceeded', status: 503 },
  CSRF_TOKEN_INVALID: { event: 'InvalidCSRFToken', status: 403 },
  FLOW_EXECUTION_STALE: { event: 'StaleRequest', status: 400 },
  AUDIT_WRITE_FAILED: { event: 'AuditLogFailure', status: 500 },
  SESSION_STORE_FAILED: { event: 'SessionStoreFailure', status: 503 },
  DIRECTORY_FAILED: { event: 'DirectoryFailure', status: 503 },
  STORAGE_BUSY: { event: 'StorageBusy', status: 503 },
  PROFILE_CONFIGURATION_INVALID: { event: 'InvalidProfileConfiguration', status: 500 },
  ACCESS_DENIED: { event: 'AccessDenied', status: 403 },
  NOT_FOUND: { event: 'NotFound', status: 404 },
  INTERNAL: { event: 'RuntimeException', status: 500 },
};

export class IdpError extends Error {
  readonly code: IdpErrorCode;
  readonly event: string;
  readonly status: number;

  constructor(code: IdpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdpError';
    this.code = code;
    this.event = EVENT_BY_CODE[code].event;
    this.status = EVENT_BY_CODE[code].status;
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
