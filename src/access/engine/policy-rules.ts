/**
 * A casbin policy file (CSV), read line by line so that every problem names its line. casbin's
 * StringAdapter would accept silently what is almost always a typo — a row of an undefined type
 * ("q, …") is skipped, a row with a missing column gets an undefined effect, which casbin counts
 * as allow, and an effect other than allow/deny makes the row ignored — so each of these is an
 * error here. Values come out exactly as casbin's PolicyLoader makes them: lines with quotes or
 * brackets go through casbin's own CSV parser; plain lines are split on commas and trimmed, which
 * gives the same values ~30 times faster. The rows are kept column by column (policy-rows.ts).
 */
import { BracketAwareCsvParser } from 'casbin';
import { ConfigurationError } from '../../core/errors.js';
import type { CasbinModel } from './casbin-model.js';
import { turnsOf, type Pacing } from './cooperative.js';
import { PolicyRowsBuilder, StringTable, type PolicyRows } from './policy-rows.js';
import { forEachLine, type TextChunks } from './text-lines.js';

export interface PolicyRules {
  readonly label: string;
  /** Rows of each type ("p", "g", "g2" …) in file order, without the type column. */
  readonly rows: ReadonlyMap<string, PolicyRows>;
  /** The line of each row, parallel to `rows`. */
  readonly lines: ReadonlyMap<string, Int32Array>;
}

export interface ReadPolicyResult {
  readonly rules: PolicyRules;
  /** Every bad line (at most maxProblems of them); the rules are unusable when there is one. */
  readonly problems: readonly ConfigurationError[];
}

const CASBIN_PARSER = new BracketAwareCsvParser();
/** Printable ASCII without the characters casbin's parser treats specially (" ( )). */
const PLAIN_LINE = /^[\x20\x21\x23-\x27\x2a-\x7e]*$/;
/** How much of a bad value a message shows. */
const SHOWN = 40;

export async function readPolicyRules(
  text: TextChunks,
  label: string,
  model: CasbinModel,
  options: Pacing & { readonly maxProblems?: number },
): Promise<ReadPolicyResult> {
  const expected = expectedColumns(model);
  const table = new StringTable();
  const builders = new Map(
    [...expected].map(([type, columns]) => [type, new PolicyRowsBuilder(table, columns.length)]),
  );
  const problems: ConfigurationError[] = [];
  const maxProblems = options.maxProblems ?? 20;
  const problem = (line: number, key: string, message: string) => {
    if (problems.length < maxProblems)
      problems.push(new ConfigurationError(`${label}:${line}`, key, message));
  };
  await forEachLine(text, turnsOf(options), (line, lineNumber) => {
    if (isSkipped(line)) return;
    const tokens = rowTokens(line, lineNumber, problem);
    if (!tokens) return;
    const wrong = rowProblem(tokens, expected);
    if (wrong) {
      problem(lineNumber, wrong.key, wrong.message);
      return;
    }
    builders.get(tokens[0]!)!.add(tokens, 1, lineNumber); // the row is the values without the type column
  });
  const built = [...builders].map(([type, builder]) => [type, builder.build()] as const);
  return {
    rules: {
      label,
      rows: new Map(built.map(([type, b]) => [type, b.rows])),
      lines: new Map(built.map(([type, b]) => [type, b.lines])),
    },
    problems,
  };
}

type Report = (line: number, key: string, message: string) => void;

/** Lines casbin skips: empty, blank and comment lines. */
function isSkipped(line: string): boolean {
  return !line || line.trim() === '' || line.trimStart().startsWith('#');
}

/** The type column and values of a line that holds a row; undefined (reported when unreadable) otherwise. */
function rowTokens(line: string, lineNumber: number, problem: Report): string[] | undefined {
  let tokens: string[] | undefined;
  try {
    tokens = tokensOf(line);
  } catch (err) {
    problem(lineNumber, '(row)', `not a CSV row: ${(err as Error).message}`);
    return undefined;
  }
  if (!tokens || tokens.length === 0 || (tokens.length === 1 && tokens[0] === '')) return undefined;
  return tokens;
}

/**
 * What casbin would load silently but wrongly (see the module comment): a type the model does not
 * define, a missing or extra column, an effect other than allow or deny. The key and message of
 * the problem, or undefined when the row is good.
 */
function rowProblem(
  tokens: readonly string[],
  expected: ReadonlyMap<string, string[]>,
): { key: string; message: string } | undefined {
  const type = tokens[0]!;
  const columns = expected.get(type);
  if (!columns) {
    return {
      key: cut(type),
      message: `unknown policy type ${JSON.stringify(cut(type))} (the model defines ${[...expected.keys()].join(', ')})`,
    };
  }
  if (tokens.length - 1 !== columns.length) {
    return {
      key: type,
      message: `expected ${columns.length} values after ${type} (${columns.join(', ')}), found ${tokens.length - 1}`,
    };
  }
  const eft = columns.indexOf('eft');
  if (eft !== -1 && tokens[eft + 1] !== 'allow' && tokens[eft + 1] !== 'deny') {
    return {
      key: type,
      message: `eft must be allow or deny, found ${JSON.stringify(cut(tokens[eft + 1]!))}`,
    };
  }
  return undefined;
}

/** The type column and the values of one line, as casbin's PolicyLoader.loadPolicyLine makes them. */
function tokensOf(line: string): string[] | undefined {
  const body = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (PLAIN_LINE.test(body)) return splitPlain(body);
  const parsed = CASBIN_PARSER.parse(line)?.[0];
  if (!parsed || parsed.length === 0) return undefined;
  const [key, ...values] = parsed as [string, ...string[]];
  return [unquote(key.trim()), ...values.map((v) => unquote(v).replace(/""/g, '"').trim())];
}

/** body.split(',').map(trim), without the intermediate array. */
function splitPlain(body: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  for (;;) {
    const comma = body.indexOf(',', start);
    const end = comma === -1 ? body.length : comma;
    tokens.push(body.slice(start, end).trim());
    if (comma === -1) return tokens;
    start = comma + 1;
  }
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** A value as a message shows it: at most SHOWN characters (the line number says where the rest is). */
function cut(value: string): string {
  return value.length <= SHOWN ? value : `${value.slice(0, SHOWN)}…`;
}

/** Column names of every policy and role type ("p" → sub, obj, …; "g" → _, _). */
function expectedColumns(model: CasbinModel): Map<string, string[]> {
  const columns = new Map<string, string[]>();
  for (const [type, tokens] of model.policyTypes)
    columns.set(
      type,
      tokens.map((t) => t.slice(type.length + 1)),
    );
  for (const [type, arity] of model.roleTypes)
    columns.set(
      type,
      Array.from({ length: arity }, () => '_'),
    );
  return columns;
}
