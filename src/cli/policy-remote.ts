/**
 * The commands that talk to a running IdP through its admin endpoints (whose own policies,
 * idp.accessControl.statusPolicy and reloadPolicy, decide whether this caller may):
 *
 *   policy reload [--url URL]         rebuild the policies now; a broken edit is refused, the
 *                                     previous policies stay in force, and each error is printed
 *     --all-nodes                     …on every node of the cluster (each reloads its own files;
 *                                     `policy status --url` then lists each node's generation)
 *   policy status --url URL           what the running IdP serves, with its last reload
 *
 * --url defaults to idp.baseURL of the configuration folder.
 */
import type { AccessControlStatus, ReloadResult } from '../access/reload-report.js';
import { ADMIN_PATHS } from '../admin/access-control-admin.js';
import type { NodeStatus } from '../cluster/node-registry.js';
import { safeForLog } from '../logging/process-log.js';
import { loadIdpConfiguration, type Location } from './cli-context.js';
import { policyStatus, type CliIo } from './policy-output.js';

/** What a cluster-wide reload adds to the answer. */
interface ClusterAnswer {
  readonly node?: string;
  readonly cluster?: { id: string; heardBy?: number; error?: string };
}

interface ApiError {
  readonly error?: string;
  readonly error_description?: string;
}

export async function reloadCommand(
  at: Location,
  url: string | undefined,
  allNodes: boolean,
  io: CliIo,
): Promise<number> {
  const base = url ?? loadIdpConfiguration(at).properties.baseURL;
  const response = await call(`${base}${ADMIN_PATHS.reload}`, 'POST', io, { allNodes });
  if (!response) return 1;
  const body = response.body as ReloadResult & ApiError & ClusterAnswer;
  if (response.status === 200 && body.ok) {
    io.out(
      `Reloaded: the IdP at ${base}${body.node ? ` (node ${safeForLog(body.node)})` : ''} now serves generation ${body.generation} (built in ${body.durationMs} ms).`,
    );
    return allNodes ? clusterLines(body, base, io) : 0;
  }
  if (body.ok === false) {
    io.err(`Reload refused: generation ${body.generation} stays in force. Problems:`);
    for (const e of body.errors ?? []) io.err(`  ${e}`);
    return 1;
  }
  io.err(
    `The IdP at ${base} answered ${response.status}: ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
  );
  return 1;
}

/** What became of the request to the other nodes: 1 when it could not be sent. */
function clusterLines(body: ClusterAnswer, base: string, io: CliIo): number {
  const c = body.cluster;
  if (!c || c.error !== undefined) {
    io.err(
      `The other nodes were not asked: ${safeForLog(c?.error ?? 'no answer about the cluster')}`,
    );
    return 1;
  }
  io.out(
    `Asked every node to reload (request ${safeForLog(c.id)}): ${c.heardBy ?? 0} node(s) heard it. Each node's generation: policy status --url ${base}`,
  );
  return 0;
}

export async function remoteStatusCommand(url: string, json: boolean, io: CliIo): Promise<number> {
  const response = await call(`${url}${ADMIN_PATHS.status}`, 'GET', io);
  if (!response) return 1;
  if (response.status !== 200) {
    const body = response.body as ApiError;
    io.err(
      `The IdP at ${url} answered ${response.status}: ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
    );
    return 1;
  }
  const status = response.body as AccessControlStatus & NodesAnswer;
  for (const line of json ? [JSON.stringify(status, null, 2)] : statusLines(url, status))
    io.out(line);
  return 0;
}

/** What the running IdP serves, with its last reload, for a person to read. */
function statusLines(url: string, status: AccessControlStatus & NodesAnswer): string[] {
  const last = status.lastReload;
  return [
    `Access-control policies served by ${url}${status.node ? ` (node ${safeForLog(status.node)})` : ''}: generation ${status.generation}, loaded ${status.loadedAt} in ${status.loadMs} ms`,
    `Last reload: ${last.ok ? 'succeeded' : 'FAILED (the previous policies stay in force)'} — ${last.trigger}, ${last.at}, ${last.durationMs} ms`,
    ...(last.errors ?? []).map((e) => `  ${e}`),
    ...status.policies.flatMap((p) => ['', ...policyStatus(p, [])]),
    '',
    `Files: ${status.sourceFiles.join(', ')}${status.watching ? ' (watched)' : ''}`,
    ...status.warnings.map((w) => `WARNING: ${w}`),
    ...nodeLines(status),
  ];
}

/** The cluster's nodes, when the IdP is one of several. */
interface NodesAnswer {
  readonly node?: string;
  readonly nodes?: readonly NodeStatus[];
  readonly nodesError?: string;
}

function nodeLines(status: NodesAnswer): string[] {
  if (status.nodesError) return ['', `Nodes: ${safeForLog(status.nodesError)}`];
  if (!status.nodes) return [];
  return [
    '',
    `Nodes of the cluster (${status.nodes.length}):`,
    ...status.nodes.map(
      (n) =>
        `  ${safeForLog(n.node)}: generation ${n.generation}, last reload ${n.lastReload.ok ? 'succeeded' : 'FAILED'} (${safeForLog(n.lastReload.trigger)}, ${safeForLog(n.lastReload.at)}), seen ${safeForLog(n.seenAt)}`,
    ),
  ];
}

async function call(
  url: string,
  method: 'GET' | 'POST',
  io: CliIo,
  body: object = {},
): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const res = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body: method === 'POST' ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json().catch(() => ({ error: res.statusText })) };
  } catch (err) {
    io.err(
      `Cannot reach the IdP at ${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
    );
    return undefined;
  }
}
