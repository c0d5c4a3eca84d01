/**
 * The audit fields every record of a profile request carries, taken from the request context
 * (Shibboleth's PopulateAuditContext / PostResponsePopulateAuditContext). Front-ends add their
 * protocol fields (assertion id, NameID, bindings, status) on top.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { AuditField, type AuditFields } from './audit-fields.js';
import { auditTimestamp } from './audit-format.js';
import type { ProfileRequestContext } from '../core/request-context.js';
import { currentTransactionId } from '../core/transaction.js';

export function auditFieldsOf(
  prc: ProfileRequestContext,
  req: Request,
  extra: Record<string, string | string[] | undefined> = {},
): AuditFields {
  const fields = requestAuditFields(req);
  const put = putter(fields);
  put(AuditField.START_TIME, auditTimestamp(prc.startTime));
  put(AuditField.PROFILE, prc.profile);
  put(AuditField.RELYING_PARTY, prc.relyingPartyId);
  const subject = prc.subject;
  if (subject) {
    put(AuditField.USERNAME, subject.principalName);
    put(AuditField.AUTHN_INSTANT, auditTimestamp(subject.authnInstant));
    put(AuditField.AUTHN_CONTEXT, subject.authnMethod);
    put(AuditField.SSO, String(subject.sso));
  }
  for (const [field, values] of Object.entries(prc.audit)) put(field, values);
  for (const [field, value] of Object.entries(extra)) put(field, value);
  return fields;
}

/**
 * The fields of the request that writes a record, for records that belong to no profile request
 * (a sign-out): like Shibboleth, the client address, user agent and URI are computed at write time.
 */
export function requestAuditFields(
  req: Request,
  extra: Record<string, string | string[] | undefined> = {},
): AuditFields {
  const fields: AuditFields = new Map();
  const put = putter(fields);
  put(AuditField.REMOTE_ADDR, req.ip);
  put(AuditField.USER_AGENT, req.get('user-agent'));
  put(AuditField.URI, req.originalUrl.split('?')[0]);
  put(AuditField.SESSION_ID, idpSessionHandle(req));
  put(AuditField.TRANSACTION_ID, currentTransactionId());
  for (const [field, value] of Object.entries(extra)) put(field, value);
  return fields;
}

function putter(fields: AuditFields) {
  return (field: string, value: string | string[] | undefined): void => {
    if (value === undefined || value === '') return;
    fields.set(field, Array.isArray(value) ? value : [value]);
  };
}

/**
 * The IdP session as it appears in the audit log (%s): a hash, not the cookie value — whoever reads
 * the log must not be able to take over the session. Requests with no signed-in IdP session (a
 * client's back-channel token request) have none.
 */
export function idpSessionHandle(req: Request): string | undefined {
  if (!req.session?.idp || !req.sessionID) return undefined;
  return createHash('sha256').update(req.sessionID).digest('base64url').slice(0, 22);
}
