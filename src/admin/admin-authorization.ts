/**
 * Who may call an admin endpoint: each asks its own named access-control policy about the
 * signed-in user (if any, with their attributes) and the caller's address. A refusal is logged,
 * audited (admin-audit.ts) before the caller hears of it, and thrown as ACCESS_DENIED, which the
 * error handler turns into the access-denied page.
 */
import type { Request } from 'express';
import type { AccessControlService } from '../access/access-control.js';
import type { AttributeResolver } from '../attribute/attribute-resolver.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { IdpProperties } from '../config/idp-properties.js';
import { IdpError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';
import { quoted } from '../logging/process-log.js';
import { activeLogin } from '../session/idp-session.js';
import { recordRefusedAdminCall } from './admin-audit.js';

export interface AdminAuthorizationDeps {
  readonly props: IdpProperties;
  readonly accessControl: AccessControlService;
  readonly resolver: AttributeResolver;
  readonly audit: Pick<AuditLog, 'record'>;
  readonly log: ProcessLog;
}

/** What is asked: the endpoint's policy, the operation and the resource it concerns. */
export interface AdminOperation {
  readonly policy: string;
  readonly operation: string;
  readonly resource: string;
  /** %P of the refusal's audit record (ADMIN_ACCESS_CONTROL_PROFILE, ADMIN_AUDIT_PROFILE). */
  readonly profile: string;
}

/** Resolves with the caller's account name ("" when nobody is signed in) when the policy allows. */
export async function authorizeAdmin(
  deps: AdminAuthorizationDeps,
  req: Request,
  { policy, operation, resource, profile }: AdminOperation,
): Promise<string> {
  const principal = activeLogin(req, deps.props.session.maxLifetimeMs)?.principalName ?? '';
  const attributes = principal
    ? (await deps.resolver.resolve({ principal, label: `admin/${operation}` })).attributes
    : {};
  const clientAddress = (req.ip ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const decision = deps.accessControl.getInstance(policy).checkAccess({
    subject: principal,
    attributes,
    relyingParty: '',
    operation,
    resource,
    clientAddress,
  });
  if (!decision.allowed) {
    deps.log.warn(
      `Admin ${operation} of ${resource} refused to ${principal ? quoted(principal) : 'an anonymous caller'} from ${quoted(clientAddress)} by policy ${quoted(policy)}`,
    );
    await recordRefusedAdminCall(deps.audit, req, { profile, user: principal, operation, policy });
    throw new IdpError(
      'ACCESS_DENIED',
      `policy ${policy} does not allow ${operation} of ${resource}`,
    );
  }
  return principal;
}
