/**
 * A real HAProxy (Debian's 2.6) in front of IdP nodes on loopback: round robin, no sticky
 * sessions — any request may land on any node. A node that stops answering is taken out by the
 * health check within a second, and a request whose connection is refused is retried on another
 * node (retry-on conn-failure + redispatch), as a production balancer would be set up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { waitForPort } from './redis-server.js';
import { requireServerBinary } from './system-servers.js';

export interface Balancer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export interface BalancerOptions {
  /** The nodes' loopback ports. */
  readonly backends: readonly number[];
  /** The port to listen on (default: a free one). */
  readonly port?: number;
}

function haproxyConfig(port: number, backends: readonly number[]): string {
  return [
    'global',
    '  maxconn 1024',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  retries 3',
    '  retry-on conn-failure empty-response response-timeout',
    '  option redispatch 1',
    'frontend idp',
    `  bind 127.0.0.1:${port}`,
    '  default_backend nodes',
    'backend nodes',
    '  balance roundrobin',
    // The client's address, replacing whatever X-Forwarded-For the client sent: the IdP believes
    // it only from a balancer named in idp.trustedProxies.
    '  http-request set-header X-Forwarded-For %[src]',
    ...backends.map(
      (p, i) => `  server node${i + 1} 127.0.0.1:${p} check inter 300ms fall 1 rise 2`,
    ),
    '',
  ].join('\n');
}

export async function startHaproxy(options: BalancerOptions): Promise<Balancer> {
  const binary = requireServerBinary('haproxy');
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), 'haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, options.backends));
  const child: ChildProcess = spawn(binary, ['-db', '-f', cfg], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    await Promise.race([
      waitForPort(port, 10_000),
      new Promise((_, reject) =>
        child.once('exit', (code) => reject(new Error(`haproxy exited (${code}): ${stderr}`))),
      ),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
