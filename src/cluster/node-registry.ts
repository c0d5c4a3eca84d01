/**
 * Which nodes of a cluster are alive and what each serves: every node writes its own entry
 * (its policy generation, its last reload) to Redis on a heartbeat, with a TTL of three beats, so
 * a node that dies drops out of the list by itself. The access-control status view lists them.
 *
 *   <prefix>cluster:node:<id>   JSON of NodeStatus, PX = 3 beats
 *   <prefix>cluster:nodes       sorted set of ids scored by when their entry expires (its own
 *                               TTL refreshed each beat), so listing never scans the keyspace
 */
import type { ReloadResult } from '../access/reload-report.js';
import { safeForLog, type ProcessLog } from '../logging/process-log.js';
import { sharedStoreCall, type RedisClient } from '../storage/redis-connection.js';

export interface NodeStatus {
  readonly node: string;
  /** When the node started (ISO 8601). */
  readonly startedAt: string;
  /** When it last wrote its entry (ISO 8601). */
  readonly seenAt: string;
  /** The access-control generation it serves. */
  readonly generation: number;
  readonly lastReload: ReloadResult;
}

/** More than this many nodes in one cluster are not listed (the list is bounded work). */
const MAX_LISTED_NODES = 64;

export interface NodeRegistryOptions {
  readonly client: RedisClient;
  readonly keyPrefix: string;
  readonly node: string;
  /** What the node serves now: read at each beat. */
  readonly current: () => Pick<NodeStatus, 'generation' | 'lastReload'>;
  readonly log: ProcessLog;
  readonly heartbeatMs?: number;
  readonly now?: () => number;
}

export class NodeRegistry {
  private readonly startedAt: string;
  private readonly heartbeatMs: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(private readonly o: NodeRegistryOptions) {
    this.heartbeatMs = o.heartbeatMs ?? 5_000;
    this.now = o.now ?? Date.now;
    this.startedAt = new Date(this.now()).toISOString();
  }

  private get indexKey(): string {
    return `${this.o.keyPrefix}cluster:nodes`;
  }

  private nodeKey(node: string): string {
    return `${this.o.keyPrefix}cluster:node:${node}`;
  }

  /** Writes the entry now and on every beat; a failed beat is logged once, until one succeeds. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Writes this node's entry now (also after a reload, so the list is current at once). */
  async beat(): Promise<void> {
    const now = this.now();
    const ttl = 3 * this.heartbeatMs;
    const status: NodeStatus = {
      node: this.o.node,
      startedAt: this.startedAt,
      seenAt: new Date(now).toISOString(),
      ...this.o.current(),
    };
    try {
      await sharedStoreCall(this.o.client, 'cluster node list', () =>
        this.o.client
          .multi()
          .set(this.nodeKey(this.o.node), JSON.stringify(status), { PX: ttl })
          .zAdd(this.indexKey, { score: now + ttl, value: this.o.node })
          .zRemRangeByScore(this.indexKey, '-inf', now)
          .pExpire(this.indexKey, ttl)
          .exec(),
      );
      if (this.failing) this.o.log.info('Cluster: this node is listed again');
      this.failing = false;
    } catch (err) {
      if (!this.failing)
        this.o.log.warn(
          `Cluster: cannot list this node in Redis: ${safeForLog((err as Error).message)}`,
        );
      this.failing = true;
    }
  }

  /** The live nodes, by name; entries that do not parse are left out. */
  async list(): Promise<NodeStatus[]> {
    const client = this.o.client;
    const ids = await sharedStoreCall(client, 'cluster node list', () =>
      client.zRangeByScore(this.indexKey, this.now(), '+inf', {
        LIMIT: { offset: 0, count: MAX_LISTED_NODES },
      }),
    );
    if (ids.length === 0) return [];
    const entries = await sharedStoreCall(client, 'cluster node list', () =>
      client.mGet(ids.map((id) => this.nodeKey(id))),
    );
    return entries
      .flatMap((json) => {
        const entry = parseEntry(json);
        return entry ? [entry] : [];
      })
      .sort((a, b) => a.node.localeCompare(b.node));
  }

  /** Stops the beat and takes this node off the list. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    try {
      await sharedStoreCall(this.o.client, 'cluster node list', () =>
        this.o.client
          .multi()
          .del(this.nodeKey(this.o.node))
          .zRem(this.indexKey, this.o.node)
          .exec(),
      );
    } catch {
      // Gone with Redis: the entry expires by itself.
    }
  }
}

/** An entry as this version writes it, or undefined (another version's, or not JSON at all). */
function parseEntry(json: string | null): NodeStatus | undefined {
  try {
    const e = JSON.parse(json ?? '') as Partial<NodeStatus>;
    const r = e.lastReload;
    const ok =
      typeof e.node === 'string' &&
      typeof e.startedAt === 'string' &&
      typeof e.seenAt === 'string' &&
      typeof e.generation === 'number' &&
      typeof r?.ok === 'boolean' &&
      typeof r.trigger === 'string' &&
      typeof r.at === 'string';
    return ok ? (e as NodeStatus) : undefined;
  } catch {
    return undefined;
  }
}
