/**
 * The audit records of the admin endpoints (docs/auditing.md): policy reloads (act=reload, %P
 * Admin/AccessControl) and refused admin calls (act=refuse, %e AccessDenied). The auditors' page
 * (%P Admin/Audit) records its own refused calls with recordRefusedAdminCall.
 */
import type { Request } from 'express';
import type { ReloadReport, ReloadTrigger } from '../access/reload-report.js';
import { AuditAction, AuditField, auditDetails, type AuditFields } from '../audit/audit-fields.js';
import type { AuditLog } from '../audit/audit-log.js';
import { auditTimestamp } from '../audit/audit-format.js';
import { requestAuditFields } from '../audit/audit-record.js';
import { currentTransactionId } from '../core/transaction.js';

export const ADMIN_ACCESS_CONTROL_PROFILE = 'Admin/AccessControl';
export const ADMIN_AUDIT_PROFILE = 'Admin/Audit';

/** %det trigger= of a reload: who started it, in the words of the docs. */
const TRIGGER: Record<ReloadTrigger, string> = {
  api: 'admin',
  file: 'watch',
  signal: 'signal',
  startup: 'startup',
  cluster: 'cluster',
};

function fieldsOf(values: Record<string, string | string[] | undefined>): AuditFields {
  const fields: AuditFields = new Map();
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
      continue;
    fields.set(field, Array.isArray(value) ? value : [value]);
  }
  return fields;
}

/** The record of a policy reload: %u the caller, %e empty or PolicyReloadFailed. */
export function reloadAuditFields({ result, caller, files }: ReloadReport): AuditFields {
  return fieldsOf({
    [AuditField.REMOTE_ADDR]: caller.clientAddress,
    [AuditField.START_TIME]: auditTimestamp(Date.parse(result.at) - result.durationMs),
    [AuditField.USERNAME]: caller.user,
    [AuditField.EVENT]: result.ok ? undefined : 'PolicyReloadFailed',
    [AuditField.USER_AGENT]: caller.userAgent,
    [AuditField.URI]: caller.path,
    [AuditField.PROFILE]: ADMIN_ACCESS_CONTROL_PROFILE,
    [AuditField.TRANSACTION_ID]: currentTransactionId(),
    [AuditField.ACTION]: AuditAction.RELOAD,
    [AuditField.DETAILS]: [
      ...auditDetails({
        trigger: TRIGGER[result.trigger],
        generation: result.generation,
        result: result.ok ? 'loaded' : 'kept-previous',
        clusterRequest: caller.clusterRequest?.id,
        fromNode: caller.clusterRequest?.fromNode,
      }),
      // One entry per file read: a file name may hold any character but the list separator,
      // which the formatter escapes.
      ...files.map((file) => `file=${file}`),
    ],
  });
}

/** An admin call its policy refused: who (%u, "" when anonymous), from where, which page. */
export interface RefusedAdminCall {
  /** ADMIN_ACCESS_CONTROL_PROFILE or ADMIN_AUDIT_PROFILE. */
  readonly profile: string;
  readonly user: string;
  /** The operation refused (status, reload, query, …) and the policy that refused it. */
  readonly operation: string;
  readonly policy: string;
}

/** Writes the record of a refused admin call; the caller answers only once this resolves. */
export function recordRefusedAdminCall(
  audit: Pick<AuditLog, 'record'>,
  req: Request,
  call: RefusedAdminCall,
): Promise<void> {
  return audit.record(
    requestAuditFields(req, {
      [AuditField.START_TIME]: auditTimestamp(Date.now()),
      [AuditField.USERNAME]: call.user,
      [AuditField.EVENT]: 'AccessDenied',
      [AuditField.PROFILE]: call.profile,
      [AuditField.ACTION]: AuditAction.REFUSE,
      [AuditField.DETAILS]: auditDetails({ operation: call.operation, policy: call.policy }),
    }),
  );
}
