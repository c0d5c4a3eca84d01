/**
 * A casbin model file (.conf), read with casbin's own parser and checked further when it is
 * loaded: casbin leaves a bad matcher, an unknown function or token and an unsupported effect for
 * the first decision to discover, and numbers its own error lines without the blank ones. Here
 * every problem is a ConfigurationError naming the file and the real line of the definition.
 */
import { newModelFromString, sectionNameMap, type Assertion, type Model } from 'casbin';
import type jsep from 'jsep';
import { ConfigurationError } from '../../core/errors.js';
import { parseMatcher, type Expression } from './casbin-expression.js';

export type Section = 'r' | 'p' | 'g' | 'e' | 'm';

/** The effects casbin 5.51.1's DefaultEffectorStream knows (as stored, with p_eft). */
export const EFFECTS = {
  allowOverride: 'some(where (p_eft == allow))',
  denyOverride: '!some(where (p_eft == deny))',
  allowAndDeny: 'some(where (p_eft == allow)) && !some(where (p_eft == deny))',
  priority: 'priority(p_eft) || deny',
  subjectPriority: 'subjectPriority(p_eft) || deny',
} as const;

export class CasbinModel {
  private constructor(
    readonly label: string,
    readonly text: string,
    private readonly model: Model,
    private readonly lines: ReadonlyMap<string, number>,
  ) {}

  /** Parses with casbin; throws a ConfigurationError naming `label`:line. */
  static parse(text: string, label: string): CasbinModel {
    let model: Model;
    try {
      model = newModelFromString(text);
    } catch (err) {
      const message = (err as Error).message;
      const casbinLine = /line (\d+)/.exec(message)?.[1];
      const line = casbinLine === undefined ? undefined : realLine(text, Number(casbinLine));
      const where = line === undefined ? label : `${label}:${line}`;
      // casbin's own line number skips blank lines; the location above has the real one.
      const problem = line === undefined ? message : message.replace(/\s*:?\s*(at )?line \d+$/, '');
      throw new ConfigurationError(where, '(model)', `casbin cannot read the model: ${problem}`, {
        cause: err,
      });
    }
    const m = new CasbinModel(label, text, model, definitionLines(text));
    m.check();
    return m;
  }

  /** Request tokens as the matcher sees them: "r_sub", "r_obj", … */
  get requestTokens(): readonly string[] {
    return this.assertion('r', 'r')?.tokens ?? [];
  }

  /** Policy types ("p", "p2" …) and their tokens ("p_sub", …). */
  get policyTypes(): ReadonlyMap<string, readonly string[]> {
    return new Map(
      [...(this.model.model.get('p') ?? new Map<string, Assertion>())].map(([key, a]) => [
        key,
        a.tokens,
      ]),
    );
  }

  /** Role definitions ("g", "g2" …) and how many values their rows have. */
  get roleTypes(): ReadonlyMap<string, number> {
    return new Map(
      [...(this.model.model.get('g') ?? new Map<string, Assertion>())].map(([key, a]) => [
        key,
        underscores(a.value),
      ]),
    );
  }

  get matcher(): string {
    return this.assertion('m', 'm')?.value ?? '';
  }

  get effect(): string {
    return this.assertion('e', 'e')?.value ?? '';
  }

  /** "file:line" of a definition, e.g. where('m', 'm'). */
  where(section: Section, key: string): string {
    const line = this.lines.get(`${sectionNameMap[section]}::${key}`);
    return line === undefined ? this.label : `${this.label}:${line}`;
  }

  error(section: Section, key: string, problem: string): ConfigurationError {
    return new ConfigurationError(
      this.where(section, key),
      `[${sectionNameMap[section]}] ${key}`,
      problem,
    );
  }

  /** A fresh casbin Model of this text (an enforcer fills and owns it). */
  newCasbinModel(): Model {
    return newModelFromString(this.text);
  }

  /**
   * The matcher's syntax tree, after checking that every token it names is defined and every
   * function it calls is one of `functions` (casbin's built-ins, the custom ones and g, g2 …).
   */
  matcherTree(functions: ReadonlySet<string>): Expression {
    let tree: Expression;
    try {
      tree = parseMatcher(this.matcher);
    } catch (err) {
      throw this.error('m', 'm', `matcher does not parse: ${(err as Error).message}`);
    }
    if (tree.type === 'Compound')
      throw this.error(
        'm',
        'm',
        'matcher must be one expression (found several separated by commas)',
      );
    const tokens = new Set([...this.requestTokens, ...(this.policyTypes.get('p') ?? [])]);
    const problem = unknownName(tree, tokens, functions);
    if (problem) throw this.error('m', 'm', problem);
    return tree;
  }

  private assertion(section: Section, key: string) {
    return this.model.model.get(section)?.get(key);
  }

  private check(): void {
    for (const [key, arity] of this.roleTypes) {
      if (arity < 2)
        throw this.error('g', key, 'a role definition needs at least two "_" (g = _, _)');
    }
    if (!this.policyTypes.has('p'))
      throw this.error('p', 'p', 'the model defines no policy type p');
    if (!(Object.values(EFFECTS) as string[]).includes(this.effect)) {
      throw this.error(
        'e',
        'e',
        `unsupported effect ${this.effect.replace(/p_eft/g, 'p.eft')} (casbin knows: ${Object.values(
          EFFECTS,
        )
          .map((e) => e.replace(/p_eft/g, 'p.eft'))
          .join(' | ')})`,
      );
    }
  }
}

function underscores(value: string): number {
  return (value.match(/_/g) ?? []).length;
}

function dotted(token: string): string {
  return token.replace(/^([rp][0-9]*)_/, '$1.');
}

/** The first name in the matcher that is neither a defined token nor a known function. */
function unknownName(
  node: Expression,
  tokens: ReadonlySet<string>,
  functions: ReadonlySet<string>,
): string | undefined {
  switch (node.type) {
    case 'Identifier':
      return unknownToken((node as jsep.Identifier).name, tokens);
    case 'CallExpression':
      return unknownCall(node as jsep.CallExpression, tokens, functions);
    default:
      return firstUnknownName(operandsOf(node), tokens, functions);
  }
}

/** The first problem among the nodes, in matcher order. */
function firstUnknownName(
  nodes: readonly Expression[],
  tokens: ReadonlySet<string>,
  functions: ReadonlySet<string>,
): string | undefined {
  return nodes.map((n) => unknownName(n, tokens, functions)).find((p) => p !== undefined);
}

/** A bare name must be a request or policy token; r_/p_ names get their own message (a typo in a token). */
function unknownToken(name: string, tokens: ReadonlySet<string>): string | undefined {
  if (tokens.has(name)) return undefined;
  return /^[rp][0-9]*_/.test(name)
    ? `${dotted(name)} is neither a request (r) nor a policy (p) token`
    : `unknown name ${name}`;
}

/** A call of a named function must name a known one; its callee is not a token, so only its arguments are checked further. */
function unknownCall(
  call: jsep.CallExpression,
  tokens: ReadonlySet<string>,
  functions: ReadonlySet<string>,
): string | undefined {
  if (call.callee.type !== 'Identifier')
    return firstUnknownName([call.callee, ...call.arguments], tokens, functions);
  const name = (call.callee as jsep.Identifier).name;
  if (!functions.has(name))
    return `unknown function ${name}() (known: ${[...functions].sort().join(', ')})`;
  return firstUnknownName(call.arguments, tokens, functions);
}

/**
 * The subexpressions that may hold names, of any node but a name or a call. A member's property
 * (r.sub's "sub") is a name only when computed (a[b]); literals have none.
 */
function operandsOf(node: Expression): Expression[] {
  switch (node.type) {
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression;
      return m.computed ? [m.object, m.property] : [m.object];
    }
    case 'BinaryExpression':
    case 'LogicalExpression': {
      const b = node as jsep.BinaryExpression;
      return [b.left, b.right];
    }
    case 'UnaryExpression':
      return [(node as jsep.UnaryExpression).argument];
    case 'ConditionalExpression': {
      const c = node as jsep.ConditionalExpression;
      return [c.test, c.consequent, c.alternate];
    }
    case 'ArrayExpression':
      return (node as jsep.ArrayExpression).elements;
    default:
      return [];
  }
}

/** Where each definition starts ("matchers::m" → line), read the way casbin's Config reads. */
function definitionLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let section = '';
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.split('#')[0]!.split(';')[0]!.trim();
    if (!line) return;
    if (line.startsWith('[') && line.endsWith(']')) {
      section = line.slice(1, -1);
      pending = '';
      return;
    }
    if (pending === '') start = i + 1;
    pending += line;
    if (line.endsWith('\\')) return;
    const eq = pending.indexOf('=');
    if (eq !== -1) lines.set(`${section}::${pending.slice(0, eq).trim()}`, start);
    pending = '';
  });
  return lines;
}

/** casbin counts only non-empty lines; this is the file's line number of its Nth. */
function realLine(text: string, casbinLine: number): number | undefined {
  const nonEmpty: number[] = [];
  text.split('\n').forEach((l, i) => {
    if (l) nonEmpty.push(i + 1);
  });
  return nonEmpty[casbinLine - 1];
}
