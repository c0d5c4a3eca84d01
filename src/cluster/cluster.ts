/**
 * The IdP as one node of a cluster (idp.storage.type = redis): its entry in the node list and its
 * part in cluster-wide policy reloads, over the IdP's Redis connection. With the SQLite default
 * there is no cluster, and none of this runs.
 */
import type { ReloadCaller, ReloadResult } from '../access/reload-report.js';
import type { ReloadableAccessControl } from '../access/reloadable-access-control.js';
import type { ProcessLog } from '../logging/process-log.js';
import { ClusterReload, type ClusterAnnouncement } from './cluster-reload.js';
import { NodeRegistry, type NodeStatus } from './node-registry.js';
import type { RedisClient } from '../storage/redis-connection.js';

/** What the admin endpoints ask of the cluster. */
export interface ClusterMembership {
  /** The live nodes and what each serves. */
  nodes(): Promise<NodeStatus[]>;
  /**
   * Reloads this node's policies and asks every other node to reload theirs; the announcement
   * fails (undefined heardBy, and why) when Redis cannot be reached — this node has reloaded.
   */
  reloadAll(caller: ReloadCaller): Promise<{
    result: ReloadResult;
    cluster: ClusterAnnouncement | { id: string; error: string };
  }>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  readonly client: RedisClient;
  readonly keyPrefix: string;
  readonly node: string;
  /** The secret every node holds (idp.session.secretFile): cluster requests are signed with it. */
  readonly secret: string;
  readonly accessControl: ReloadableAccessControl;
  /** Category net.shibboleth.idp.cluster. */
  readonly log: ProcessLog;
  readonly heartbeatMs?: number;
}

export async function joinCluster(o: ClusterOptions): Promise<ClusterMembership> {
  const registry = new NodeRegistry({
    client: o.client,
    keyPrefix: o.keyPrefix,
    node: o.node,
    current: () => {
      const s = o.accessControl.status();
      return { generation: s.generation, lastReload: s.lastReload };
    },
    log: o.log,
    heartbeatMs: o.heartbeatMs,
  });
  await registry.start();
  const reloads = await ClusterReload.start({
    client: o.client,
    secret: o.secret,
    keyPrefix: o.keyPrefix,
    node: o.node,
    reload: (trigger, caller) => o.accessControl.reload(trigger, caller),
    reloaded: () => registry.beat(),
    log: o.log,
  }).catch(async (err: unknown) => {
    await registry.close(); // a node that could not join is not listed
    throw err;
  });
  o.log.info(`Cluster: node ${o.node} joined`);
  return {
    nodes: () => registry.list(),
    async reloadAll(caller) {
      const id = ClusterReload.newRequestId();
      const result = await o.accessControl.reload('api', {
        ...caller,
        clusterRequest: { id, fromNode: o.node },
      });
      await registry.beat();
      try {
        return { result, cluster: await reloads.announce(id, caller.user) };
      } catch (err) {
        return { result, cluster: { id, error: (err as Error).message } };
      }
    },
    async close() {
      try {
        await reloads.close();
      } finally {
        await registry.close();
      }
    },
  };
}
