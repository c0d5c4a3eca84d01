/**
 * The IdP's part in a cluster (src/cluster/), joined only when it shares its state in Redis
 * (idp.storage.type = redis): a single node on SQLite has no cluster to join.
 */
import type { ReloadableAccessControl } from '../access/reloadable-access-control.js';
import { joinCluster, type ClusterMembership } from '../cluster/cluster.js';
import type { IdpProperties } from '../config/idp-properties.js';
import type { ProcessLog } from '../logging/process-log.js';
import { loadSecret } from '../session/session-secret.js';
import type { SharedState } from './shared-state.js';

export async function joinClusterIfShared(
  props: IdpProperties,
  log: ProcessLog,
  shared: SharedState,
  { accessControl }: { accessControl: ReloadableAccessControl },
): Promise<ClusterMembership | undefined> {
  if (!shared.redis) return undefined;
  return joinCluster({
    ...shared.redis,
    node: props.nodeId,
    secret: loadSecret(props.session.secretFile, 'idp.session.secretFile'),
    accessControl,
    log: log.child('net.shibboleth.idp.cluster'),
  });
}
