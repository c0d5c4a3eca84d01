/**
 * `audit` — the audit trail from an auditor's chair:
 *
 *   audit query   [PATH...] [filters] [--format table|jsonl|csv]   the records, in time order
 *   audit summary [PATH...] [filters] [--format table|jsonl|csv]   impersonations and refusals counted
 *   audit verify  [PATH...] [--public-key FILE]                    is the trail as written?
 *
 * Each PATH is one node: a logs folder or its idp-audit.log (with the rotated files beside it,
 * compressed or not), or a single rotated file; several nodes are merged in time order. Without a
 * PATH: the configured idp.audit.file. Exit status: 0 fine, 1 problems found (an unreadable file,
 * a verify failure), 2 wrong usage.
 */
import { pathToFileURL } from 'node:url';
import { IdpError } from '../core/errors.js';
import { parseArgs } from 'node:util';
import { queryCommand, summaryCommand } from './audit-commands.js';
import { processAuditOut } from './audit-io.js';
import { auditSetup, filterOf, UsageError } from './audit-options.js';
import { OUTPUT_FORMATS, type AuditOut, type OutputFormat } from './audit-output.js';
import { AUDIT_USAGE, COMMAND_USAGE } from './audit-usage.js';
import { verifyCommand } from './audit-verify-command.js';

const OPTIONS = {
  conf: { type: 'string' },
  home: { type: 'string' },
  'log-format': { type: 'string' },
  format: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  actor: { type: 'string' },
  target: { type: 'string' },
  rp: { type: 'string' },
  event: { type: 'string', multiple: true },
  action: { type: 'string', multiple: true },
  'impersonation-only': { type: 'boolean' },
  'refusals-only': { type: 'boolean' },
  'include-control': { type: 'boolean' },
  'public-key': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];
type Option = keyof Values;

const COMMON: Option[] = ['conf', 'home', 'log-format'];
const FILTERS: Option[] = [
  ...COMMON,
  'format',
  'since',
  'until',
  'actor',
  'target',
  'rp',
  'event',
  'action',
  'impersonation-only',
  'refusals-only',
  'include-control',
];
const ALLOWED: Record<string, Option[]> = {
  query: FILTERS,
  summary: FILTERS,
  verify: [...COMMON, 'public-key'],
};

export interface AuditCliIo {
  readonly out: AuditOut;
  readonly env: NodeJS.ProcessEnv;
}

export async function runAuditCli(
  argv: readonly string[],
  io: AuditCliIo = { out: processAuditOut(), env: process.env },
): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [command, ...paths] = positionals;
    const help = helpWanted(command, values.help ?? false);
    if (help) {
      io.out.write(`${help.text}\n`);
      await io.out.flush(true);
      return help.code;
    }
    const allowed = ALLOWED[command!]!;
    const extra = (Object.keys(values) as Option[]).find((k) => !allowed.includes(k));
    if (extra) throw new UsageError(`audit ${command}: unexpected option --${extra}`);
    return await run(command!, paths, values, io);
  } catch (err) {
    if (err instanceof IdpError) {
      io.out.err(err.message);
      return 1;
    }
    if (
      !(err instanceof UsageError) &&
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true
    )
      throw err;
    io.out.err((err as Error).message);
    io.out.err(`Run "audit --help" for the usage.`);
    return 2;
  }
}

/** The help asked for (or owed: no command is wrong usage, exit 2), if any. */
function helpWanted(
  command: string | undefined,
  help: boolean,
): { text: string; code: number } | undefined {
  if (command === undefined || command === 'help')
    return { text: AUDIT_USAGE, code: command === undefined && !help ? 2 : 0 };
  if (!ALLOWED[command]) throw new UsageError(`audit: unknown command ${command}`);
  return help ? { text: COMMAND_USAGE[command]!, code: 0 } : undefined;
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
}

async function run(
  command: string,
  paths: readonly string[],
  values: Values,
  io: AuditCliIo,
): Promise<number> {
  const at = { conf: values.conf, home: values.home, env: io.env };
  const format = (values.format ?? 'table') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format))
    throw new UsageError(`--format ${values.format}: expected one of ${OUTPUT_FORMATS.join(', ')}`);
  const filter = filterOf(values);
  const setup = auditSetup(at, paths, values['log-format']);
  if (command === 'verify') return verifyCommand(setup, at, values['public-key'] ?? [], io.out);
  if (command === 'summary') return summaryCommand(setup, filter, format, io.out);
  return queryCommand(setup, filter, format, io.out);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runAuditCli(process.argv.slice(2));
}
