/**
 * The audit record of each password login (%P Authn/Login, act=login): %e empty on success,
 * otherwise InvalidCredentials (a wrong password, or no such account — the page says the same for
 * both, the record may say which in %det), AccountLocked (the throttle refused it) or NoCredentials
 * (a username or password missing), DirectoryFailure or SharedStoreFailure (the directory or the
 * shared store failed while the login was checked: the user gets the 503 page). %u is the account name as canonicalized, or as typed when it
 * is no account name. The password is never part of a record. Written before the page that answers
 * the login; if it cannot be written, the request fails and no IdP session starts.
 */
import { AuditAction, AuditField, auditDetails } from '../../audit/audit-fields.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { auditTimestamp } from '../../audit/audit-format.js';
import { auditFieldsOf } from '../../audit/audit-record.js';
import type { IdpEvent } from '../../core/events.js';
import type { StepInput } from './profile-step.js';

const LOGIN_PROFILE = 'Authn/Login';

export interface LoginOutcome {
  /** The account name as canonicalized, or as typed. */
  readonly user: string;
  /** undefined: the login succeeded. */
  readonly event?: Extract<
    IdpEvent,
    | 'InvalidCredentials'
    | 'AccountLocked'
    | 'NoCredentials'
    | 'DirectoryFailure'
    | 'SharedStoreFailure'
  >;
  readonly details?: Record<string, string | undefined>;
  /** A successful login: when and how (%t, %ac). */
  readonly login?: { readonly authnInstant: number; readonly authnMethod: string };
}

export function recordLogin(
  audit: Pick<AuditLog, 'record'>,
  { exchange, prc }: StepInput,
  outcome: LoginOutcome,
): Promise<void> {
  return audit.record(
    auditFieldsOf(prc, exchange.req, {
      [AuditField.PROFILE]: LOGIN_PROFILE,
      [AuditField.ACTION]: AuditAction.LOGIN,
      [AuditField.USERNAME]: outcome.user,
      [AuditField.EVENT]: outcome.event,
      [AuditField.DETAILS]: auditDetails(outcome.details ?? {}),
      [AuditField.AUTHN_INSTANT]: outcome.login && auditTimestamp(outcome.login.authnInstant),
      [AuditField.AUTHN_CONTEXT]: outcome.login?.authnMethod,
    }),
  );
}
