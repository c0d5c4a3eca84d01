/**
 * The admin view of the access-control policies (Shibboleth's admin flows, such as
 * /idp/profile/admin/reload-service): what is loaded, from which files, how many rules, when, and
 * how the last reload went — and a reload on demand. Each endpoint is protected by its own named
 * policy (idp.accessControl.statusPolicy, idp.accessControl.reloadPolicy); a name with no policy
 * behind it denies, so a deployment that does not want them only has to leave them out.
 *
 *   GET  /idp/profile/admin/access-control          status, HTML or JSON (Accept: application/json);
 *                                                   in a cluster, every live node's generation too
 *   POST /idp/profile/admin/access-control/reload   reload now; JSON. A JSON content type is
 *                                                   required, which no cross-site form can send.
 *                                                   Body {"allNodes": true}: every node of the
 *                                                   cluster reloads (src/cluster/).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { ReloadableAccessControl } from '../access/reloadable-access-control.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AttributeResolver } from '../attribute/attribute-resolver.js';
import type { IdpProperties } from '../config/idp-properties.js';
import type { ClusterMembership } from '../cluster/cluster.js';
import { safeForLog, type ProcessLog } from '../logging/process-log.js';
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
  /** This node's part in a cluster (idp.storage.type = redis); absent for a single node. */
  readonly cluster?: ClusterMembership;
}

/** The reload request's body: at most this many bytes. */
const RELOAD_BODY_LIMIT = 1024;

export function accessControlAdminRoutes(deps: AccessControlAdminDeps): Router {
  const router = express.Router();
  const { props, accessControl } = deps;

  router.get(ADMIN_PATHS.status, async (req, res) => {
    await authorize(deps, req, props.accessControl.statusPolicy, 'status');
    const status = { node: props.nodeId, ...accessControl.status(), ...(await clusterNodes(deps)) };
    res.set('Cache-Control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') {
      res.json(status);
      return;
    }
    await deps.views.render(res, 'admin/access-control', { status });
  });

  const body = express.json({ limit: RELOAD_BODY_LIMIT, strict: true });
  router.post(ADMIN_PATHS.reload, body, async (req, res: Response) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'send Content-Type: application/json' });
      return;
    }
    const allNodes = (req.body as { allNodes?: unknown } | undefined)?.allNodes === true;
    const user = await authorize(deps, req, props.accessControl.reloadPolicy, 'reload');
    const caller = {
      user,
      clientAddress: req.ip,
      userAgent: req.get('user-agent'),
      path: req.originalUrl.split('?')[0],
    };
    res.set('Cache-Control', 'no-store');
    if (allNodes && !deps.cluster) {
      res.status(409).json({
        error: 'not_a_cluster',
        error_description: 'this IdP is a single node (idp.storage.type is not redis)',
      });
      return;
    }
    if (allNodes && deps.cluster) {
      const { result, cluster } = await deps.cluster.reloadAll(caller);
      if ('error' in cluster)
        deps.log.error(`Cluster reload ${cluster.id}: not announced: ${safeForLog(cluster.error)}`);
      res.status(result.ok ? 200 : 422).json({ ...result, node: props.nodeId, cluster });
      return;
    }
    const result = await accessControl.reload('api', caller);
    res.status(result.ok ? 200 : 422).json({ ...result, node: props.nodeId });
  });
  return router;
}

/** The live nodes for the status view; a Redis that cannot be asked is said, not fatal. */
async function clusterNodes(
  deps: AccessControlAdminDeps,
): Promise<{ nodes?: unknown[]; nodesError?: string }> {
  if (!deps.cluster) return {};
  try {
    return { nodes: await deps.cluster.nodes() };
  } catch (err) {
    deps.log.warn(`Cluster: cannot list the nodes: ${safeForLog((err as Error).message)}`);
    return { nodesError: 'the node list is unavailable (Redis cannot be reached)' };
  }
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
