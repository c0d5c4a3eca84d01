/**
 * A policy reload asked of every node of a cluster. Each node still watches its own files; this
 * is for the admin endpoint and `policy reload --all-nodes`, which reload the node they reach and
 * publish the request on a Redis channel every node subscribes to. Each node that hears it
 * reloads its own copy of the files and audits the reload with the request's id
 * (%det clusterRequest=, fromNode=), so an auditor sees one request and every node's outcome, and
 * the status view lists each node's generation and last reload (node-registry.ts).
 *
 * Pub/sub is fire-and-forget: a node that is disconnected at that moment misses the request, so
 * the caller is told how many nodes heard it and the status view shows what each serves.
 */
import { randomBytes } from 'node:crypto';
import type { ReloadCaller, ReloadResult, ReloadTrigger } from '../access/reload-report.js';
import { inNewTransaction } from '../core/transaction.js';
import { safeForLog, type ProcessLog } from '../logging/process-log.js';
import { sharedStoreCall, withDeadline, type RedisClient } from '../storage/redis-connection.js';

/** How long subscribing at start-up may take. */
const START_DEADLINE_MS = 5_000;

/** A message longer than this is no request of ours and is dropped unread. */
const MAX_MESSAGE_BYTES = 4096;

interface ReloadRequest {
  readonly id: string;
  readonly fromNode: string;
  /** The caller on the node that was asked (%u on every node's record). */
  readonly user: string;
}

export interface ClusterReloadOptions {
  /** The IdP's shared connection (publishing); a duplicate of it subscribes. */
  readonly client: RedisClient;
  readonly keyPrefix: string;
  readonly node: string;
  /** Reloads this node's policies (ReloadableAccessControl.reload). */
  readonly reload: (trigger: ReloadTrigger, caller: ReloadCaller) => Promise<ReloadResult>;
  /** Told after each reload another node asked for (the registry's beat, so the list is current). */
  readonly reloaded?: () => Promise<void>;
  readonly log: ProcessLog;
}

export interface ClusterAnnouncement {
  readonly id: string;
  /** How many nodes heard the request (this one included, when it is subscribed). */
  readonly heardBy: number;
}

export class ClusterReload {
  private constructor(
    private readonly o: ClusterReloadOptions,
    private readonly subscriber: RedisClient,
    private readonly channel: string,
  ) {}

  static async start(o: ClusterReloadOptions): Promise<ClusterReload> {
    const subscriber = o.client.duplicate();
    subscriber.on('error', () => {
      // Reconnects by itself; the shared connection's own handler reports Redis being down.
    });
    const channel = `${o.keyPrefix}cluster:policy-reload`;
    const self = new ClusterReload(o, subscriber, channel);
    try {
      // Bounded: a Redis that stopped answering fails the start-up instead of holding it.
      await withDeadline(subscriber.connect(), START_DEADLINE_MS);
      await withDeadline(
        subscriber.subscribe(channel, (message) => self.heard(message)),
        START_DEADLINE_MS,
      );
    } catch (err) {
      if (subscriber.isOpen) subscriber.destroy();
      throw err;
    }
    return self;
  }

  /** A fresh request id for a cluster-wide reload: this node reloads under it too. */
  static newRequestId(): string {
    return randomBytes(9).toString('base64url');
  }

  /** Asks every other node to reload; resolves with how many subscribers heard it. */
  async announce(id: string, user: string): Promise<ClusterAnnouncement> {
    const request: ReloadRequest = { id, fromNode: this.o.node, user };
    const heardBy = await sharedStoreCall(this.o.client, 'cluster reload', () =>
      this.o.client.publish(this.channel, JSON.stringify(request)),
    );
    return { id, heardBy };
  }

  private heard(message: string): void {
    const request = parse(message);
    if (!request) {
      this.o.log.warn(`Cluster: ignored a malformed reload request on ${this.channel}`);
      return;
    }
    if (request.fromNode === this.o.node) return; // this node reloaded when it was asked
    void inNewTransaction(async () => {
      this.o.log.info(
        `Cluster: node ${safeForLog(request.fromNode)} asks for a policy reload (request ${safeForLog(request.id)})`,
      );
      try {
        await this.o.reload('cluster', {
          user: request.user,
          clusterRequest: { id: request.id, fromNode: request.fromNode },
        });
        await this.o.reloaded?.();
      } catch (err) {
        this.o.log.error(
          `Cluster: reload ${safeForLog(request.id)} not recorded: ${safeForLog((err as Error).message)}`,
        );
      }
    });
  }

  /** Drops the subscription at once (see closeRedisConnection for why not close()). */
  close(): Promise<void> {
    if (this.subscriber.isOpen) this.subscriber.destroy();
    return Promise.resolve();
  }
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The request, or undefined for anything that is not exactly one. */
function parse(message: string): ReloadRequest | undefined {
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) return undefined;
  try {
    const v = JSON.parse(message) as Partial<ReloadRequest>;
    if (
      typeof v.id === 'string' &&
      NAME.test(v.id) &&
      typeof v.fromNode === 'string' &&
      NAME.test(v.fromNode) &&
      typeof v.user === 'string' &&
      v.user.length <= 1024
    )
      return { id: v.id, fromNode: v.fromNode, user: v.user };
  } catch {
    // not JSON
  }
  return undefined;
}
