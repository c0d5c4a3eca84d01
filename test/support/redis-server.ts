/**
 * A real redis-server (Debian's redis 7) on a free loopback port, with no persistence, in its own
 * temporary folder. pause()/resume() stop and continue the process (SIGSTOP/SIGCONT) so a test can
 * make Redis slow or unreachable without losing its data; stop() ends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { requireServerBinary } from './system-servers.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  pause(): void;
  resume(): void;
  /** Ends the process; start() again on the same port with restart(). */
  stop(): Promise<void>;
  /** Starts a new process on the same port (empty: no persistence). */
  restart(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const binary = requireServerBinary('redis-server');
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-'));
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    await killProcess(c);
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pause: () => stopProcess(child),
    resume: () => void child?.kill('SIGCONT'),
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      await launch();
    },
  };
}

/** Resolves once something accepts connections on the loopback port. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ends a test server for good (a paused one too) and resolves once it has exited. */
export async function killProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

/**
 * SIGSTOP, returning only once every thread of the process has stopped (state T in /proc/PID/task): a
 * signal is delivered asynchronously, and on a busy machine a server thread could otherwise still
 * answer a request or two after pause() returned.
 */
export function stopProcess(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null) return;
  child.kill('SIGSTOP');
  const deadline = Date.now() + 2_000;
  const tasks = `/proc/${child.pid}/task`;
  while (Date.now() < deadline) {
    const stopped = readdirSync(tasks).every((task) => {
      const stat = readFileSync(`${tasks}/${task}/stat`, 'utf8');
      // The state follows the command name in parentheses: "pid (comm) T …".
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
    });
    if (stopped) return;
  }
  throw new Error(`process ${child.pid} did not stop`);
}
