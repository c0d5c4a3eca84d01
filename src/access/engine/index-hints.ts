/**
 * Index hints: how a matcher term that compares request values with one policy column can pick
 * rows by key instead of being evaluated on every row. A hint only ever over-approximates: the rows
 * it selects must include every row on which the term can be truthy. Each selected row is still
 * decided by casbin's own expression evaluator, so a hint can make a decision slower, never
 * different — and the differential test checks that claim against casbin.
 *
 * The coercions below copy casbin 5.51.1's built-ins (util/builtinOperators.ts) exactly.
 */
import type { RoleGraph } from './role-graph.js';

/** The term may be true for any request: the row is always a candidate. */
export const ALWAYS = Symbol('always');
/** The term is false for every request: the row is never a candidate of this term. */
export const NEVER = Symbol('never');

/** A string is an exact key (no object per row: an index over 100k rows makes 100k keys). */
export type RowKey = string | { readonly prefix: string } | typeof ALWAYS | typeof NEVER;

export interface RequestKeys {
  /** Rows filed under one of these exact keys … */
  readonly exact?: ReadonlySet<string> | readonly string[];
  /** … or under a prefix key that one of these strings starts with. */
  readonly prefixOf?: readonly string[];
}

export interface IndexHint {
  /** Names the index in status output ("keyMatch", "g", "=="). */
  readonly name: string;
  /** How many arguments the call must have for the hint to apply. */
  readonly arity: number;
  /** Which argument must be a policy column (p.x); every other one must be a request-side value. */
  readonly policyArgument: number;
  rowKey(policyValue: unknown): RowKey;
  /** The request-side argument values (the policy argument's slot is undefined); undefined = any row. */
  requestKeys(args: readonly unknown[]): RequestKeys | undefined;
}

/** casbin's coercion of function arguments: (arg || '').toString(). */
function coerced(value: unknown): string | undefined {
  try {
    return ((value || '') as { toString(): string }).toString();
  } catch {
    return undefined;
  }
}

/** r.x == p.y, p.y == "literal" (and ===): with string operands, == is strict equality. */
export const EQUALS_HINT: IndexHint = {
  name: '==',
  arity: 2,
  policyArgument: 1,
  rowKey: (v) => (typeof v === 'string' ? v : ALWAYS),
  requestKeys: ([x]) => (typeof x === 'string' ? { exact: [x] } : undefined),
};

/** p.y == "literal": only the rows holding the literal are ever candidates. */
export function literalEqualsHint(literal: string): IndexHint {
  return {
    name: `==${JSON.stringify(literal)}`,
    arity: 2,
    policyArgument: 1,
    rowKey: (v) => (v === literal ? literal : NEVER),
    requestKeys: ([x]) => (typeof x === 'string' ? { exact: [x] } : undefined),
  };
}

/** keyMatch(r.x, p.y): p.y without "*" equals r.x; with "*", r.x starts with what precedes it. */
export const KEY_MATCH_HINT: IndexHint = {
  name: 'keyMatch',
  arity: 2,
  policyArgument: 1,
  rowKey(v) {
    const pattern = coerced(v);
    if (pattern === undefined) return ALWAYS;
    const star = pattern.indexOf('*');
    return star === -1 ? pattern : { prefix: pattern.slice(0, star) };
  },
  requestKeys([x]) {
    const key = coerced(x);
    return key === undefined ? undefined : { exact: [key], prefixOf: [key] };
  },
};

/** globMatch(r.x, p.y): a matching r.x starts with the glob's literal prefix (see globLiteralPrefix). */
const GLOB_MATCH_HINT: IndexHint = {
  name: 'globMatch',
  arity: 2,
  policyArgument: 1,
  rowKey(v) {
    if (typeof v !== 'string') return ALWAYS;
    const prefix = globLiteralPrefix(v);
    return prefix === undefined ? ALWAYS : { prefix };
  },
  requestKeys: ([x]) => (typeof x === 'string' ? { prefixOf: [collapseSlashes(x)] } : undefined),
};

const GLOB_MAGIC = /[*?[\]{}()!+@\\]/;

/**
 * The part of a glob every matching string starts with, compared after runs of "/" are collapsed
 * (minimatch splits both the pattern and the string on /\/+/). undefined when no safe prefix
 * exists: negated patterns ("!…"), comments ("#…"), ".." segments (minimatch's level-1
 * optimisation removes the segment before them — also when brace expansion produces them) and
 * Windows, whose path rules differ. A trailing "/" is dropped because "a/**" also matches "a".
 */
function globLiteralPrefix(glob: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const pattern = glob.startsWith('*/') ? glob.slice(1) : glob; // casbin's globMatch strips it too
  if (pattern.startsWith('!') || pattern.startsWith('#')) return undefined;
  if (pattern.includes('..') || (pattern.includes('{') && pattern.includes('.'))) return undefined;
  const magic = pattern.search(GLOB_MAGIC);
  const literal = collapseSlashes(magic === -1 ? pattern : pattern.slice(0, magic));
  return literal.endsWith('/') ? literal.slice(0, -1) : literal;
}

function collapseSlashes(s: string): string {
  return s.replace(/\/+/g, '/');
}

/** g(r.x, p.y) for a two-column role definition: p.y is r.x itself or one of its roles. */
export function roleHint(name: string, graph: RoleGraph): IndexHint {
  return {
    name,
    arity: 2,
    policyArgument: 1,
    rowKey: (v) => {
      const role = coerced(v);
      return role ?? ALWAYS;
    },
    requestKeys([x]) {
      const subject = coerced(x);
      return subject === undefined ? undefined : { exact: graph.closure(subject) };
    },
  };
}

export const BUILT_IN_HINTS: ReadonlyMap<string, IndexHint> = new Map([
  ['keyMatch', KEY_MATCH_HINT],
  ['globMatch', GLOB_MATCH_HINT],
]);
