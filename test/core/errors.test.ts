/**
 * IdpError's stable codes: each code carries the event that picks the error page text and the HTTP
 * status (page texts for every event: test/config/events.test.ts).
 * ConfigurationError names file and key; asIdpError gives anything thrown the one shape.
 */
import { describe, expect, it } from 'vitest';
import {
  asIdpError,
  ConfigurationError,
  IdpError,
  type IdpErrorCode,
} from '../../src/core/errors.js';

/** Every code with the event and status it must carry (a new code fails the typecheck until listed). */
const EXPECTED: Record<IdpErrorCode, [event: string, status: number]> = {
  CONFIGURATION_INVALID: ['InvalidConfiguration', 500],
  METADATA_INVALID: ['InvalidConfiguration', 500],
  UNKNOWN_RELYING_PARTY: ['UnknownRelyingParty', 400],
  MESSAGE_MALFORMED: ['UnableToDecode', 400],
  METHOD_NOT_ALLOWED: ['MethodNotAllowed', 405],
  REQUEST_TOO_LARGE: ['RequestTooLarge', 413],
  UNSUPPORTED_MEDIA_TYPE: ['UnsupportedMediaType', 415],
  MESSAGE_AUTHENTICATION_FAILED: ['MessageAuthenticationError', 400],
  ENDPOINT_RESOLUTION_FAILED: ['EndpointResolutionFailed', 400],
  MESSAGE_TOO_LARGE: ['UnableToDecode', 413],
  MESSAGE_TIMEOUT: ['UnableToDecode', 408],
  REQUEST_CAPACITY_EXCEEDED: ['RequestCapacityExceeded', 503],
  FLOW_EXECUTION_STALE: ['StaleRequest', 400],
  AUDIT_WRITE_FAILED: ['AuditLogFailure', 500],
  SESSION_STORE_FAILED: ['SessionStoreFailure', 503],
  SHARED_STORE_FAILED: ['SessionStoreFailure', 503],
  DIRECTORY_FAILED: ['DirectoryFailure', 503],
  STORAGE_BUSY: ['StorageBusy', 503],
  PERSISTENT_ID_STORE_FAILED: ['RuntimeException', 503],
  ACCESS_DENIED: ['AccessDenied', 403],
  CSRF_TOKEN_INVALID: ['InvalidCSRFToken', 403],
  NOT_FOUND: ['NotFound', 404],
  INTERNAL: ['RuntimeException', 500],
};

describe('IdpError', () => {
  it.each(Object.entries(EXPECTED))(
    '%s carries event %s and its HTTP status',
    (code, [event, status]) => {
      const err = new IdpError(code as IdpErrorCode, 'what happened');
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe('IdpError');
      expect(err.code).toBe(code);
      expect(err.event).toBe(event);
      expect(err.status).toBe(status);
      expect(err.message).toBe('what happened');
    },
  );

  it('keeps the cause', () => {
    const cause = new Error('disk full');
    expect(new IdpError('AUDIT_WRITE_FAILED', 'audit', { cause }).cause).toBe(cause);
  });
});

describe('ConfigurationError', () => {
  it('names file and key in its message and fields, with code CONFIGURATION_INVALID', () => {
    const err = new ConfigurationError(
      'conf/idp.properties:12',
      'idp.port',
      'must be a port number',
    );
    expect(err).toBeInstanceOf(IdpError);
    expect(err.name).toBe('ConfigurationError');
    expect(err.message).toBe('conf/idp.properties:12: idp.port: must be a port number');
    expect(err.file).toBe('conf/idp.properties:12');
    expect(err.key).toBe('idp.port');
    expect(err.code).toBe('CONFIGURATION_INVALID');
    expect(err.event).toBe('InvalidConfiguration');
    expect(err.status).toBe(500);
  });
});

describe('asIdpError', () => {
  it('returns an IdpError (and a ConfigurationError) as it is', () => {
    const idp = new IdpError('NOT_FOUND', 'no page');
    const conf = new ConfigurationError('f', 'k', 'bad');
    expect(asIdpError(idp)).toBe(idp);
    expect(asIdpError(conf)).toBe(conf);
  });

  it('wraps any other Error as INTERNAL with its message and the original as cause', () => {
    const original = new TypeError('x is undefined');
    const wrapped = asIdpError(original);
    expect(wrapped).toBeInstanceOf(IdpError);
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.event).toBe('RuntimeException');
    expect(wrapped.status).toBe(500);
    expect(wrapped.message).toBe('x is undefined');
    expect(wrapped.cause).toBe(original);
  });

  it.each([
    ['a string', 'boom', 'boom'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
  ])('wraps %s thrown as INTERNAL with its text', (_what, value, message) => {
    const wrapped = asIdpError(value);
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.message).toBe(message);
    expect(wrapped.cause).toBe(value);
  });
});
