/**
 * The admin view of the access-control policies (Shibboleth's admin flows, such as
 * /idp/profile/admin/reload-service): what is loaded, from which files, how many rules, when, and
 * how the last reload went — and a reload on demand. Each endpoint is protected by its own named
 * policy (idp.accessControl.statusPolicy, idp.accessControl.reloadPolicy); a name with no policy
 * behind it denies, so a deployment that does not want them only has to leave them out.
 *
 *   GET  /idp/profile/admin/access-control          status, HTML or JSON (Accept: application/json)
 *   POST /idp/profile/admin/access-control/reload   reload now; JSON. A JSON content type is
 *                                                   required, which no cross-site form can send.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { ReloadableAccessControl } from '../access/reloadable-access-control.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AttributeResolver } from '../attribute/attribute-resolver.js';
import type { IdpProperties } from '../config/idp-properties.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { Views } from '../web/views.js';
import { ADMIN_ACCESS_CONTROL_PROFILE } from './admin-audit.js';
import { authorizeAdmin } from './admin-authorization.js';

export const ADMIN_PATHS = {
  status: '/idp/profile/admin/access-control',
  reload: '/idp/profile/admin/access-control/reload',
} as const;

const ADMIN_RESOURCE = 'access-control';

export interface AccessControlAdminDeps {
  readonly props: IdpProperties;
  readonly accessControl: ReloadableAccessControl;
  readonly resolver: AttributeResolver;
  readonly views: Views;
  /** Reloads and refused calls are audited (admin-audit.ts). */
  readonly audit: Pick<AuditLog, 'record'>;
  readonly log: ProcessLog;
}

export function accessControlAdminRoutes(deps: AccessControlAdminDeps): Router {
  const router = express.Router();
  const { props, accessControl } = deps;

  router.get(ADMIN_PATHS.status, async (req, res) => {
    await authorize(deps, req, props.accessControl.statusPolicy, 'status');
    const status = accessControl.status();
    res.set('Cache-Control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') {
      res.json(status);
      return;
    }
    await deps.views.render(res, 'admin/access-control', { status });
  });

  router.post(ADMIN_PATHS.reload, async (req, res: Response) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'send Content-Type: application/json' });
      return;
    }
    const user = await authorize(deps, req, props.accessControl.reloadPolicy, 'reload');
    const result = await accessControl.reload('api', {
      user,
      clientAddress: req.ip,
      userAgent: req.get('user-agent'),
      path: req.originalUrl.split('?')[0],
    });
    res
      .set('Cache-Control', 'no-store')
      .status(result.ok ? 200 : 422)
      .json(result);
  });
  return router;
}

function authorize(
  deps: AccessControlAdminDeps,
  req: Request,
  policy: string,
  operation: string,
): Promise<string> {
  const call = { policy, operation, resource: ADMIN_RESOURCE };
  return authorizeAdmin(deps, req, { ...call, profile: ADMIN_ACCESS_CONTROL_PROFILE });
}
