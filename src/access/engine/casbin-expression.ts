/**
 * casbin's own expression machinery: casbin 5.51.1 parses and evaluates matchers with
 * @casbin/expression-eval (jsep underneath), after registering the `in` operator and rewriting
 * "(a, b)" lists with bracketCompatible (coreEnforcer.getExpression). The engine parses the same
 * text the same way, reads the syntax tree to build its indexes, and evaluates that very tree.
 *
 * The package is CommonJS and its `parse` is a getter Node cannot see as a named export, hence
 * the default import.
 */
import expressionEval from '@casbin/expression-eval';
import type jsep from 'jsep';
import { Util } from 'casbin';

export type Expression = jsep.Expression;

const { parse, eval: evaluateTree, addBinaryOp } = expressionEval;

// What coreEnforcer.getExpression does before compiling (idempotent).
addBinaryOp('in', 1, Util.customIn);

/** Parses a matcher as casbin stores it (tokens written r_sub, p_sub). Throws on a syntax error. */
export function parseMatcher(matcher: string): Expression {
  return parse(Util.bracketCompatible(matcher));
}

export function evaluate(tree: Expression, context: object): unknown {
  return evaluateTree(tree, context) as unknown;
}
