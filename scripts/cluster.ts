/**
 * `npm run cluster`: the IdP as a cluster on this machine, on loopback — a real OpenLDAP slapd
 * holding the demo accounts, a real Redis for the shared state, two IdP nodes (separate
 * processes, the same conf/ and credentials, each its own data and audit log) and HAProxy in
 * front of them with no sticky sessions. The demo SAML SP and OIDC client point at the balancer.
 * Needs Debian's slapd, redis-server and haproxy (apt-get install slapd ldap-utils redis-server
 * haproxy). Ctrl-C stops everything; the nodes' folders are kept and their paths printed.
 *
 *   CLUSTER_PORT   the balancer's port (default 8080: the URLs the demo apps and conf/ expect)
 *   CLUSTER_NODES  how many IdP nodes (default 2)
 *   CLUSTER_HOME   where the nodes' folders go (default: a new temporary folder)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { propertyDefinitions } from '../src/config/defaults.js';
import { loadIdpProperties } from '../src/config/idp-properties.js';
import { DEFAULT_CONF_DIR } from '../src/core/paths.js';
import { startDemoOidcClient } from '../src/demo/demo-oidc-client.js';
import { startDemoSp } from '../src/demo/demo-sp.js';
import { freePort } from '../test/support/free-port.js';
import { startHaproxy } from '../test/support/haproxy.js';
import { startRedis } from '../test/support/redis-server.js';
import { startSlapd } from '../test/support/slapd.js';

const NODE_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cluster-node.ts');
const ENV_OF = new Map(propertyDefinitions().map((d) => [d.key, d.env]));

/** The environment variables that set these properties (each property's own variable). */
export function propertyEnvironment(properties: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(properties).map(([key, value]) => {
      const env = ENV_OF.get(key);
      if (!env) throw new Error(`no such property: ${key}`);
      return [env, value];
    }),
  );
}

interface Node {
  readonly id: string;
  readonly port: number;
  readonly home: string;
  readonly child: ChildProcess;
}

async function startNode(
  id: string,
  home: string,
  properties: Record<string, string>,
): Promise<Node> {
  const port = await freePort();
  mkdirSync(home, { recursive: true });
  const child = fork(NODE_ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      IDP_HOME: home,
      ...propertyEnvironment({ ...properties, 'idp.port': String(port), 'idp.node.id': id }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`node ${id} exited (${code}) before listening`)));
  });
  return { id, port, home, child };
}

/** The demo apps as conf/ and the environment describe them, pointed at the balancer. */
async function startDemoApps(
  root: string,
  shared: Record<string, string>,
  baseURL: string,
): Promise<void> {
  const { demo, oidc } = loadIdpProperties({
    home: root,
    confDir: DEFAULT_CONF_DIR,
    env: process.env,
    overrides: shared,
  });
  await startDemoSp({
    entityID: demo.sp.entityID,
    baseURL: demo.sp.baseURL,
    port: demo.sp.port,
    listenAddress: '127.0.0.1',
    idpMetadataURL: `${baseURL}/idp/shibboleth`,
  });
  await startDemoOidcClient({
    issuer: oidc.issuer,
    clientId: demo.oidc.clientId,
    clientSecret: demo.oidc.clientSecret,
    baseURL: demo.oidc.baseURL,
    port: demo.oidc.port,
    listenAddress: '127.0.0.1',
  });
}

async function main(): Promise<void> {
  const balancerPort = Number(process.env.CLUSTER_PORT ?? 8080);
  const count = Number(process.env.CLUSTER_NODES ?? 2);
  const root = process.env.CLUSTER_HOME ?? mkdtempSync(path.join(tmpdir(), 'idp-cluster-'));
  const baseURL = `http://localhost:${balancerPort}`;

  const slapd = await startSlapd();
  const redis = await startRedis();
  const shared = {
    ...slapd.properties,
    'idp.baseURL': baseURL,
    'idp.storage.type': 'redis',
    'idp.storage.redis.url': redis.url,
    'idp.trustedProxies': '127.0.0.1',
  };
  const nodes: Node[] = [];
  const stop = async () => {
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise((resolve) => {
            if (n.child.exitCode !== null) return resolve(undefined);
            n.child.once('exit', resolve);
            n.child.kill('SIGTERM');
          }),
      ),
    );
    await balancer?.stop();
    await redis.stop();
    await slapd.close();
  };
  let balancer: Awaited<ReturnType<typeof startHaproxy>> | undefined;
  try {
    // The first node generates the credentials; the others get a copy: one IdP, many nodes.
    nodes.push(await startNode('node1', path.join(root, 'node1'), shared));
    for (let i = 2; i <= count; i++) {
      const home = path.join(root, `node${i}`);
      cpSync(path.join(root, 'node1', 'credentials'), path.join(home, 'credentials'), {
        recursive: true,
      });
      nodes.push(await startNode(`node${i}`, home, shared));
    }
    balancer = await startHaproxy({ port: balancerPort, backends: nodes.map((n) => n.port) });
    await startDemoApps(root, shared, baseURL);
  } catch (err) {
    await stop();
    throw err;
  }
  const { demo } = loadIdpProperties({
    home: root,
    confDir: DEFAULT_CONF_DIR,
    env: process.env,
    overrides: shared,
  });
  console.log(
    [
      '',
      `  IdP (HAProxy, round robin, no sticky sessions): ${baseURL}/idp`,
      ...nodes.map(
        (n) =>
          `    ${n.id}: http://127.0.0.1:${n.port}  home ${n.home}  audit log ${n.home}/logs/idp-audit.log`,
      ),
      `  Redis (shared state):  ${redis.url}`,
      `  LDAP (accounts):       ${slapd.url}`,
      `  Demo SAML SP:          ${demo.sp.baseURL}/`,
      `  Demo OIDC client:      ${demo.oidc.baseURL}/`,
      `  Merged audit trail:    npx audit query ${nodes.map((n) => `${n.home}/logs`).join(' ')}`,
      `  Reload every node:     npx policy reload --url ${baseURL} --all-nodes`,
      '  Ctrl-C stops the cluster.',
      '',
    ].join('\n'),
  );
  const shutdown = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

await main();
