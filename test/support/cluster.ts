/**
 * A cluster of real IdP nodes for a test: a real redis-server for the shared state, a real slapd
 * for the accounts, N nodes with the same conf/ and credentials (the first node's, copied), each
 * its own home and audit log, and a real HAProxy in front of them, round robin, no stickiness.
 * Every node's idp.baseURL is the balancer's.
 *
 * NodeBrowser drives a flow step by step and sends each step to the node the test names, while
 * keeping one cookie jar for the balancer's address, as a browser behind a balancer would: which
 * node answers is the balancer's business, not the browser's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Browser, type BrowserOptions } from './browser.js';
import { freePort } from './free-port.js';
import { startHaproxy, type Balancer } from './haproxy.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { startSlapd, type Slapd } from './slapd.js';
import { copyConf, startTestIdp, type TestIdp } from './test-idp.js';

export interface TestCluster {
  readonly baseURL: string;
  readonly redis: RedisServer;
  readonly slapd: Slapd;
  readonly balancer: Balancer;
  /** The nodes, node1 first; a node stopped with stopNode stays in the list, closed. */
  readonly nodes: TestIdp[];
  readonly ports: number[];
  /** The configuration folder every node reads (a copy of conf/ with the test's changes). */
  readonly confDir: string;
  stopNode(index: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestClusterOptions {
  readonly nodes?: number;
  /** Property overrides for every node. */
  readonly properties?: Record<string, string>;
  readonly conf?: Record<string, string | ((old: string) => string)>;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const count = options.nodes ?? 2;
  const redis = await startRedis();
  const slapd = await startSlapd();
  const balancerPort = await freePort();
  const baseURL = `http://127.0.0.1:${balancerPort}`;
  const ports: number[] = [];
  const nodes: TestIdp[] = [];
  const stopped = new Set<number>();
  const confDir = mkdtempSync(path.join(tmpdir(), 'idp-cluster-conf-'));
  copyConf(confDir, options.conf);
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    ports.push(port);
    nodes.push(
      await startTestIdp({
        confDir,
        credentialsFrom: i === 0 ? undefined : path.join(nodes[0]!.home, 'credentials'),
        properties: {
          ...slapd.properties,
          'idp.storage.type': 'redis',
          'idp.storage.redis.url': redis.url,
          'idp.trustedProxies': '127.0.0.1',
          'idp.node.id': `node${i + 1}`,
          ...options.properties,
          'idp.port': String(port),
          'idp.baseURL': baseURL,
        },
      }),
    );
  }
  const balancer = await startHaproxy({ port: balancerPort, backends: ports });
  return {
    baseURL,
    redis,
    slapd,
    balancer,
    nodes,
    ports,
    confDir,
    async stopNode(index) {
      stopped.add(index);
      await nodes[index]!.idp.close();
    },
    async close() {
      await balancer.stop();
      for (const [i, n] of nodes.entries()) {
        if (stopped.has(i)) continue;
        await n.close();
      }
      await redis.stop();
      await slapd.close();
      rmSync(confDir, { recursive: true, force: true });
    },
  };
}

/** A browser whose requests to the balancer go to the node `via` names (index), or the balancer. */
export class NodeBrowser extends Browser {
  /** The node the next requests go to; undefined: through the balancer. */
  via: number | undefined;

  constructor(
    private readonly cluster: Pick<TestCluster, 'baseURL' | 'ports'>,
    options: BrowserOptions = {},
  ) {
    // node:http (chosen by a local address) rather than fetch: it sends the Host header given.
    super({ localAddress: '127.0.0.1', ...options });
  }

  protected override send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
  ) {
    const target = new URL(url);
    if (this.via === undefined || target.origin !== this.cluster.baseURL)
      return super.send(url, method, headers, body);
    // As the balancer does: the node gets the request with the Host the browser sent.
    target.port = String(this.cluster.ports[this.via]);
    return super.send(target.toString(), method, { ...headers, host: new URL(url).host }, body);
  }
}
