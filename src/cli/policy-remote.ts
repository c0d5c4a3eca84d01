/**
 * The commands that talk to a running IdP through its admin endpoints (whose own policies,
 * idp.accessControl.statusPolicy and reloadPolicy, decide whether this caller may):
 *
 *   policy reload [--url URL]         rebuild the policies now; a broken edit is refused, the
 *                                     previous policies stay in force, and each error is printed
 *   policy status --url URL           what the running IdP serves, with its last reload
 *
 * --url defaults to idp.baseURL of the configuration folder.
 */
import type { AccessControlStatus, ReloadResult } from '../access/reload-report.js';
import { ADMIN_PATHS } from '../admin/access-control-admin.js';
import { loadIdpConfiguration, type Location } from './cli-context.js';
import { policyStatus, type CliIo } from './policy-output.js';

interface ApiError {
  readonly error?: string;
  readonly error_description?: string;
}

export async function reloadCommand(
  at: Location,
  url: string | undefined,
  io: CliIo,
): Promise<number> {
  const base = url ?? loadIdpConfiguration(at).properties.baseURL;
  const response = await call(`${base}${ADMIN_PATHS.reload}`, 'POST', io);
  if (!response) return 1;
  const body = response.body as ReloadResult & ApiError;
  if (response.status === 200 && body.ok) {
    io.out(
      `Reloaded: the IdP at ${base} now serves generation ${body.generation} (built in ${body.durationMs} ms).`,
    );
    return 0;
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
  const status = response.body as AccessControlStatus;
  for (const line of json ? [JSON.stringify(status, null, 2)] : statusLines(url, status))
    io.out(line);
  return 0;
}

/** What the running IdP serves, with its last reload, for a person to read. */
function statusLines(url: string, status: AccessControlStatus): string[] {
  const last = status.lastReload;
  return [
    `Access-control policies served by ${url}: generation ${status.generation}, loaded ${status.loadedAt} in ${status.loadMs} ms`,
    `Last reload: ${last.ok ? 'succeeded' : 'FAILED (the previous policies stay in force)'} — ${last.trigger}, ${last.at}, ${last.durationMs} ms`,
    ...(last.errors ?? []).map((e) => `  ${e}`),
    ...status.policies.flatMap((p) => ['', ...policyStatus(p, [])]),
    '',
    `Files: ${status.sourceFiles.join(', ')}${status.watching ? ' (watched)' : ''}`,
    ...status.warnings.map((w) => `WARNING: ${w}`),
  ];
}

async function call(
  url: string,
  method: 'GET' | 'POST',
  io: CliIo,
): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const res = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body: method === 'POST' ? '{}' : undefined,
    });
    return { status: res.status, body: await res.json().catch(() => ({ error: res.statusText })) };
  } catch (err) {
    io.err(
      `Cannot reach the IdP at ${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
    );
    return undefined;
  }
}
