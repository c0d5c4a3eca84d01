/**
 * `policy` — the access-control policies from an admin's chair:
 *
 *   policy validate [--conf DIR]                                  does everything parse and exist?
 *   policy explain --user U [--target T] --rp RP [--conf DIR]     what is decided, and why
 *   policy test FILE [--conf DIR]                                 check written expectations
 *   policy status [--json] [--conf DIR]                           what the IdP would load
 *   policy status --url URL [--json]                              what a running IdP serves
 *   policy reload [--url URL] [--conf DIR]                        make a running IdP reload now
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
  policy explain --user USER [--target ACCOUNT] --rp RELYING_PARTY [--conf DIR] [--home DIR]
  policy test EXPECTATIONS.yaml [--conf DIR] [--home DIR]
  policy status [--json] [--conf DIR]
  policy status --url URL [--json]
  policy reload [--url URL] [--conf DIR]

  --conf DIR   configuration folder (default: IDP_CONF_DIR, else the project's conf/)
  --url URL    a running IdP (default for reload: idp.baseURL of the configuration folder)
  --home DIR   IdP home, whose data/idp.db holds the accounts (default: IDP_HOME, else the project folder);
               without that file the accounts come from the seed file (idp.directory.seedFile)

Exit status: 0 fine, 1 problems found (each printed as file:line), 2 wrong usage.`;

const OPTIONS = {
  conf: { type: 'string' },
  home: { type: 'string' },
  user: { type: 'string' },
  target: { type: 'string' },
  rp: { type: 'string' },
  json: { type: 'boolean' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

export async function runPolicyCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const at: Location = { conf: values.conf, home: values.home, env: io.env };
    const only = (allowed: readonly (keyof typeof values)[], positional = 0) => {
      const extra = (Object.keys(values) as (keyof typeof values)[]).filter((k) => !allowed.includes(k));
      if (extra.length > 0) throw new UsageError(`policy ${command}: unexpected option --${extra[0]}`);
      if (rest.length !== positional) throw new UsageError(`policy ${command}: expected ${positional} argument${positional === 1 ? '' : 's'}, got ${rest.length}`);
    };
    switch (command) {
      case 'validate':
        only(['conf', 'home']);
        return await validateCommand(at, io);
      case 'explain': {
        only(['conf', 'home', 'user', 'target', 'rp']);
        if (!values.user || !values.rp) throw new UsageError('policy explain: --user and --rp are required');
        return await explainCommand(at, { user: values.user, target: values.target, rp: values.rp }, io);
      }
      case 'test':
        only(['conf', 'home'], 1);
        return await testCommand(at, rest[0]!, io);
      case 'status':
        if (values.url) {
          only(['url', 'json']);
          return await remoteStatusCommand(values.url, values.json ?? false, io);
        }
        only(['conf', 'home', 'json']);
        return await statusCommand(at, values.json ?? false, io);
      case 'reload':
        only(['conf', 'home', 'url']);
        return await reloadCommand(at, values.url, io);
      default:
        throw new UsageError(`policy: unknown command ${command}`);
    }
  } catch (err) {
    if (!(err instanceof UsageError) && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw err;
    io.err((err as Error).message);
    io.err(USAGE);
    return 2;
  }
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
