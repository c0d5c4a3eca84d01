/**
 * The admin endpoints: the access-control status and reload (admin/access-control-admin.ts) and
 * the auditors' page over this node's audit files (admin/audit-review.ts), each behind its own
 * named policy.
 */
import type { Router } from 'express';
import type { ReloadableAccessControl } from '../access/reloadable-access-control.js';
import { accessControlAdminRoutes, ADMIN_PATHS } from '../admin/access-control-admin.js';
import { AUDIT_REVIEW_PATH, auditReviewRoutes } from '../admin/audit-review.js';
import { auditReviewFiles } from '../admin/audit-review-files.js';
import type { AttributeResolver } from '../attribute/attribute-resolver.js';
import { parseAuditFormat } from '../audit/audit-format.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClusterMembership } from '../cluster/cluster.js';
import type { IdpConfiguration } from '../config/load-configuration.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { Views } from '../web/views.js';

export interface AdminRoutesDeps {
  readonly config: IdpConfiguration;
  readonly accessControl: ReloadableAccessControl;
  readonly resolver: AttributeResolver;
  readonly views: Views;
  readonly audit: AuditLog;
  /** Category net.shibboleth.idp.admin. */
  readonly log: ProcessLog;
  /** This node's part in a cluster, when it is one. */
  readonly cluster?: ClusterMembership;
}

export const ADMIN_ROUTE_PATHS: readonly string[] = [
  ...Object.values(ADMIN_PATHS),
  AUDIT_REVIEW_PATH,
];

export function adminRoutes(deps: AdminRoutesDeps): Router[] {
  const props = deps.config.properties;
  const common = { ...deps, props };
  return [
    accessControlAdminRoutes(common),
    auditReviewRoutes({
      ...common,
      source: auditReviewFiles({
        auditFile: props.logs.auditFile,
        tokens: parseAuditFormat(deps.config.audit.format),
        publicKeyFile: props.audit.signingPublicKey,
        defaultWindowMs: props.auditReview.defaultWindowMs,
      }),
    }),
  ];
}
