/**
 * `policy` — the access-control policies from an admin's chair:
 *
 *   policy validate [--conf DIR]                                  does everything parse and exist?
 *   policy explain --user U [--target T] --rp RP [--level L] [--conf DIR]     what is decided, and why
 *   policy test FILE [--conf DIR]                                 check written expectations
 *   policy status [--json] [--conf DIR]                           what the IdP would load
 *   policy status --url URL [--json]                              what a running IdP serves
 *   policy reload [--url URL] [--conf DIR] [--all-nodes]          make a running IdP (or its cluster) reload now
 *
 * validate, explain, test and status are offline: they read the configuration folder the IdP
 * reads (--conf, IDP_CONF_DIR or conf/) and its user directory (--home, IDP_HOME or the project
 * folder: data/idp.db, read-only). status --url and reload use the running IdP's admin endpoints
 * (policy-remote.ts). Exit status: 0 fine, 1 problems found, 2 wrong usage.
 */
import { pathToFileURL } from 'node:url';
import { safeLines } from '../logging/process-log.js';
import { parseArgs } from 'node:util';
import type { Location } from './cli-context.js';
import { explainCommand } from './policy-explain.js';
import type { CliIo } from './policy-output.js';
import { reloadCommand, remoteStatusCommand } from './policy-remote.js';
import { statusCommand } from './policy-status.js';
import { testCommand } from './policy-test.js';
import { validateCommand } from './policy-validate.js';

const USAGE = `Usage:
  policy validate [--conf DIR]
  policy explain --user USER [--target ACCOUNT] --rp RELYING_PARTY [--level identify|impersonate|delegate] [--conf DIR] [--home DIR]
  policy test EXPECTATIONS.yaml [--conf DIR] [--home DIR]
  policy status [--json] [--conf DIR]
  policy status --url URL [--json]
  policy reload [--url URL] [--conf DIR] [--all-nodes]

  --conf DIR   configuration folder (default: IDP_CONF_DIR, else the project's conf/)
  --url URL    a running IdP (default for reload: idp.baseURL of the configuration folder)
  --all-nodes  reload every node of the IdP's cluster, not only the one --url reaches
  --home DIR   IdP home, whose data/idp.db holds the accounts (default: IDP_HOME, else the project folder);
               without that file the accounts come from the seed file (idp.directory.seedFile)

Exit status: 0 fine, 1 problems found (each printed as file:line), 2 wrong usage.`;

const OPTIONS = {
  conf: { type: 'string' },
  home: { type: 'string' },
  user: { type: 'string' },
  target: { type: 'string' },
  level: { type: 'string' },
  rp: { type: 'string' },
  json: { type: 'boolean' },
  url: { type: 'string' },
  'all-nodes': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

type Values = ReturnType<typeof parse>['values'];

/** One command line: the command, its arguments and options, and where it reads and writes. */
interface Invocation {
  readonly command: string;
  readonly rest: readonly string[];
  readonly values: Values;
  readonly at: Location;
  readonly io: CliIo;
}

export async function runPolicyCli(
  argv: readonly string[],
  io: CliIo = processIo(),
): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    return await runCommand({
      command,
      rest,
      values,
      at: { conf: values.conf, home: values.home, env: io.env },
      io,
    });
  } catch (err) {
    if (
      !(err instanceof UsageError) &&
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true
    )
      throw err;
    io.err((err as Error).message);
    io.err(USAGE);
    return 2;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
}

async function runCommand(inv: Invocation): Promise<number> {
  const { values, at, io } = inv;
  switch (inv.command) {
    case 'validate':
      only(inv, ['conf', 'home']);
      return validateCommand(at, io);
    case 'explain':
      only(inv, ['conf', 'home', 'user', 'target', 'rp', 'level']);
      if (!values.user || !values.rp)
        throw new UsageError('policy explain: --user and --rp are required');
      return explainCommand(
        at,
        { user: values.user, target: values.target, rp: values.rp, level: values.level },
        io,
      );
    case 'test':
      only(inv, ['conf', 'home'], 1);
      return testCommand(at, inv.rest[0]!, io);
    case 'status':
      return status(inv);
    case 'reload':
      only(inv, ['conf', 'home', 'url', 'all-nodes']);
      return reloadCommand(at, values.url, values['all-nodes'] ?? false, io);
    default:
      throw new UsageError(`policy: unknown command ${inv.command}`);
  }
}

/** policy status: of a running IdP with --url, else of the configuration folder. */
function status(inv: Invocation): Promise<number> {
  const { values, at, io } = inv;
  if (values.url) {
    only(inv, ['url', 'json']);
    return remoteStatusCommand(values.url, values.json ?? false, io);
  }
  only(inv, ['conf', 'home', 'json']);
  return statusCommand(at, values.json ?? false, io);
}

/** Refuses options the command does not take, and a wrong number of arguments. */
function only(inv: Invocation, allowed: readonly (keyof Values)[], positional = 0): void {
  const extra = (Object.keys(inv.values) as (keyof Values)[]).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    throw new UsageError(`policy ${inv.command}: unexpected option --${extra[0]}`);
  if (inv.rest.length !== positional)
    throw new UsageError(
      `policy ${inv.command}: expected ${positional} argument${positional === 1 ? '' : 's'}, got ${inv.rest.length}`,
    );
}

function processIo(): CliIo {
  // `policy status | head` closes the pipe early; that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  // What is printed comes from files, the directory and a running IdP: nothing of it may drive the terminal.
  return {
    out: (line) => process.stdout.write(`${safeLines(line)}\n`),
    err: (line) => process.stderr.write(`${safeLines(line)}\n`),
    env: process.env,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runPolicyCli(process.argv.slice(2));
}
