/**
 * Reads a matcher's syntax tree (casbin's own parse) and finds the terms an index can answer:
 * `r.x == p.y`, `p.y == "literal"`, and calls with an index hint (keyMatch, globMatch, g(),
 * the project's attribute functions) whose other arguments are request-side values. The plan
 * mirrors the boolean structure: a disjunction's candidates are the union of its branches', a
 * conjunction's the intersection of its indexable terms; anything else may match any row.
 */
import type jsep from 'jsep';
import type { Expression } from './casbin-expression.js';
import { EQUALS_HINT, literalEqualsHint, type IndexHint } from './index-hints.js';

export type PlanNode =
  | { readonly kind: 'all' }
  | { readonly kind: 'and' | 'or'; readonly children: readonly PlanNode[] }
  | {
      readonly kind: 'term';
      readonly hint: IndexHint;
      /** Position of the policy column among the policy tokens. */
      readonly column: number;
      /** The call's arguments; the policy argument's slot is undefined. */
      readonly args: readonly (Expression | undefined)[];
      /** The term as written, for status output ("keyMatch(r.sub, p.sub)"). */
      readonly text: string;
    };

export interface PlanContext {
  readonly requestTokens: ReadonlySet<string>;
  /** Policy tokens in column order ("p_sub", "p_obj", …). */
  readonly policyTokens: readonly string[];
  readonly hints: ReadonlyMap<string, IndexHint>;
}

const ALL: PlanNode = { kind: 'all' };

export function planMatcher(tree: Expression, ctx: PlanContext): PlanNode {
  switch (tree.type) {
    case 'LogicalExpression':
    case 'BinaryExpression': {
      const node = tree as jsep.BinaryExpression;
      if (node.operator === '&&')
        return and(planMatcher(node.left, ctx), planMatcher(node.right, ctx));
      if (node.operator === '||')
        return or(planMatcher(node.left, ctx), planMatcher(node.right, ctx));
      if (node.operator === '==' || node.operator === '===') return equality(node, ctx);
      return ALL;
    }
    case 'CallExpression':
      return call(tree as jsep.CallExpression, ctx);
    default:
      return ALL;
  }
}

/** Every indexable term of a plan, as written. */
export function planTerms(plan: PlanNode): string[] {
  if (plan.kind === 'term') return [plan.text];
  if (plan.kind === 'all') return [];
  return plan.children.flatMap(planTerms);
}

function and(a: PlanNode, b: PlanNode): PlanNode {
  const children = [a, b].flatMap((c) =>
    c.kind === 'and' ? c.children : c.kind === 'all' ? [] : [c],
  );
  if (children.length === 0) return ALL;
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

function or(a: PlanNode, b: PlanNode): PlanNode {
  if (a.kind === 'all' || b.kind === 'all') return ALL;
  return { kind: 'or', children: [a, b].flatMap((c) => (c.kind === 'or' ? c.children : [c])) };
}

function equality(node: jsep.BinaryExpression, ctx: PlanContext): PlanNode {
  const [pSide, other] =
    policyColumn(node.left, ctx) !== undefined ? [node.left, node.right] : [node.right, node.left];
  const column = policyColumn(pSide, ctx);
  if (column === undefined || !isRequestSide(other, ctx)) return ALL;
  const literal = other.type === 'Literal' ? (other as jsep.Literal).value : undefined;
  const hint = typeof literal === 'string' ? literalEqualsHint(literal) : EQUALS_HINT;
  return {
    kind: 'term',
    hint,
    column,
    args: [other, undefined],
    text: `${show(node.left)} ${node.operator} ${show(node.right)}`,
  };
}

function call(node: jsep.CallExpression, ctx: PlanContext): PlanNode {
  if (node.callee.type !== 'Identifier') return ALL;
  const hint = ctx.hints.get((node.callee as jsep.Identifier).name);
  if (!hint || node.arguments.length !== hint.arity) return ALL;
  const column = policyColumn(node.arguments[hint.policyArgument]!, ctx);
  if (column === undefined) return ALL;
  const args = node.arguments.map((arg, i) => (i === hint.policyArgument ? undefined : arg));
  if (!args.every((arg) => arg === undefined || isRequestSide(arg, ctx))) return ALL;
  return { kind: 'term', hint, column, args, text: show(node) };
}

function policyColumn(node: Expression, ctx: PlanContext): number | undefined {
  if (node.type !== 'Identifier') return undefined;
  const i = ctx.policyTokens.indexOf((node as jsep.Identifier).name);
  return i === -1 ? undefined : i;
}

/** A literal, a request token, or a member of one (r.attrs.dept): the same for every row. */
function isRequestSide(node: Expression, ctx: PlanContext): boolean {
  switch (node.type) {
    case 'Literal':
      return true;
    case 'Identifier':
      return ctx.requestTokens.has((node as jsep.Identifier).name);
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression;
      return isRequestSide(m.object, ctx) && (!m.computed || m.property.type === 'Literal');
    }
    default:
      return false;
  }
}

/** Writes a term back in the model's notation (r_sub → r.sub). */
function show(node: Expression): string {
  switch (node.type) {
    case 'Identifier':
      return (node as jsep.Identifier).name.replace(/^([rp][0-9]*)_/, '$1.');
    case 'Literal':
      return (node as jsep.Literal).raw;
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression;
      return m.computed
        ? `${show(m.object)}[${show(m.property)}]`
        : `${show(m.object)}.${(m.property as jsep.Identifier).name}`;
    }
    case 'CallExpression': {
      const c = node as jsep.CallExpression;
      return `${show(c.callee)}(${c.arguments.map(show).join(', ')})`;
    }
    default:
      return '…';
  }
}
