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
 *
 * A request is signed (HMAC-SHA256 with a key the nodes share: derived from the session secret,
 * which every node of one IdP holds) and good for a minute, once: whoever can only publish on the
 * Redis channel cannot make the nodes write reload records in an admin's name, nor replay one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ReloadCaller, ReloadResult, ReloadTrigger } from '../access/reload-report.js';
import { inNewTransaction } from '../core/transaction.js';
import { safeForLog, type ProcessLog } from '../logging/process-log.js';
import { RateLimitedLog } from '../logging/rate-limited-log.js';
import { sharedStoreCall, withDeadline, type RedisClient } from '../storage/redis-connection.js';

/** How long subscribing at start-up may take. */
const START_DEADLINE_MS = 5_000;

/** A message longer than this is no request of ours and is dropped unread. */
const MAX_MESSAGE_BYTES = 4096;
/** How long a request is good for (the nodes' clocks agree to within this, as SAML needs too). */
const MAX_AGE_MS = 60_000;
/** Request ids remembered against replay: more than a minute's worth of reloads. */
const SEEN_IDS = 1024;

interface ReloadRequest {
  readonly id: string;
  readonly fromNode: string;
  /** The caller on the node that was asked (%u on every node's record). */
  readonly user: string;
  /** When it was asked (epoch ms). */
  readonly at: number;
}

export interface ClusterReloadOptions {
  /** The IdP's shared connection (publishing); a duplicate of it subscribes. */
  readonly client: RedisClient;
  /** The secret every node of this IdP holds (idp.session.secretFile): requests are signed with a key from it. */
  readonly secret: string;
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
  private readonly key: Buffer;
  private readonly seen = new Set<string>();
  private readonly warnings = new RateLimitedLog(5, 60_000);

  private constructor(
    private readonly o: ClusterReloadOptions,
    private readonly subscriber: RedisClient,
    private readonly channel: string,
  ) {
    this.key = createHmac('sha256', o.secret).update('idp cluster policy reload').digest();
  }

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
    const request: ReloadRequest = { id, fromNode: this.o.node, user, at: Date.now() };
    const message = JSON.stringify({ ...request, mac: this.mac(request) });
    const heardBy = await sharedStoreCall(this.o.client, 'cluster reload', () =>
      this.o.client.publish(this.channel, message),
    );
    return { id, heardBy };
  }

  private mac(r: ReloadRequest): string {
    return createHmac('sha256', this.key)
      .update(JSON.stringify([r.id, r.fromNode, r.user, r.at]))
      .digest('base64url');
  }

  /** The request when it is one of ours: well formed, signed, fresh and not seen before. */
  private verified(message: string): ReloadRequest | undefined {
    const parsed = parse(message);
    const why = !parsed
      ? 'malformed'
      : !sameMac(parsed.mac, this.mac(parsed.request))
        ? "not signed with this IdP's key"
        : Math.abs(Date.now() - parsed.request.at) > MAX_AGE_MS
          ? 'too old'
          : this.seen.has(parsed.request.id)
            ? 'a replay'
            : undefined;
    if (why) {
      this.warnings.write(
        'refused',
        `Cluster: ignored a reload request on ${this.channel}: ${why}`,
        (l) => this.o.log.warn(l),
      );
      return undefined;
    }
    const request = parsed!.request;
    this.seen.add(request.id);
    if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value!);
    return request;
  }

  private heard(message: string): void {
    const request = this.verified(message);
    if (!request) return;
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

/** The request and its MAC, or undefined for anything that is not exactly one. */
function parse(message: string): { request: ReloadRequest; mac: string } | undefined {
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) return undefined;
  try {
    const v = JSON.parse(message) as Partial<ReloadRequest> & { mac?: unknown };
    if (
      typeof v.id === 'string' &&
      NAME.test(v.id) &&
      typeof v.fromNode === 'string' &&
      NAME.test(v.fromNode) &&
      typeof v.user === 'string' &&
      v.user.length <= 1024 &&
      typeof v.at === 'number' &&
      typeof v.mac === 'string'
    )
      return { request: { id: v.id, fromNode: v.fromNode, user: v.user, at: v.at }, mac: v.mac };
  } catch {
    // not JSON
  }
  return undefined;
}

function sameMac(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
