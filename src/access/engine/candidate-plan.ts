/**
 * A matcher plan with its indexes built, and the candidate rows it gives for one request. Terms
 * that name the same function and column share one index.
 *
 * A conjunction looks at its terms from the most selective (by the index's typical bucket size,
 * known once built) and stops once only a few rows are left: checking those few against the whole
 * matcher costs less than looking up the remaining terms (in the shipped model, who and whom
 * usually leave one or two rows, and the relying party and operation terms are not looked up).
 */
import { evaluate, type Expression } from './casbin-expression.js';
import type { PlanNode } from './matcher-plan.js';
import {
  IntersectionCandidates,
  ListCandidates,
  RowMarks,
  UnionCandidates,
  type AllRows,
  type Candidates,
} from './candidates.js';
import type { Turns } from './cooperative.js';
import type { PolicyRows } from './policy-rows.js';
import { TermIndex } from './term-index.js';

export type CandidatePlan =
  | { readonly kind: 'all'; readonly typical: number }
  | {
      readonly kind: 'and' | 'or';
      readonly children: readonly CandidatePlan[];
      readonly typical: number;
    }
  | {
      readonly kind: 'term';
      readonly index: TermIndex;
      readonly args: readonly (Expression | undefined)[];
      readonly typical: number;
    };

/** A conjunction stops narrowing once this few candidates remain. */
const FEW = 2;

export async function buildCandidatePlan(
  plan: PlanNode,
  rows: PolicyRows,
  turns: Turns,
  shared = new Map<string, TermIndex>(),
): Promise<CandidatePlan> {
  switch (plan.kind) {
    case 'all':
      return { kind: 'all', typical: rows.length };
    case 'term': {
      const key = `${plan.hint.name}#${plan.column}`;
      let index = shared.get(key);
      if (!index) {
        index = await TermIndex.build(plan.hint, rows, plan.column, turns);
        shared.set(key, index);
      }
      return { kind: 'term', index, args: plan.args, typical: index.typical };
    }
    case 'or': {
      const children: CandidatePlan[] = [];
      for (const child of plan.children)
        children.push(await buildCandidatePlan(child, rows, turns, shared));
      return { kind: 'or', children, typical: children.reduce((n, c) => n + c.typical, 0) };
    }
    case 'and': {
      const children: CandidatePlan[] = [];
      for (const child of plan.children)
        children.push(await buildCandidatePlan(child, rows, turns, shared));
      children.sort((a, b) => a.typical - b.typical);
      return { kind: 'and', children, typical: children[0]?.typical ?? rows.length };
    }
  }
}

/** Row marks for each nesting depth of conjunctions, made on first use. */
export class MarksByDepth {
  private readonly marks: RowMarks[] = [];

  constructor(private readonly rowCount: number) {}

  at(depth: number): RowMarks {
    return (this.marks[depth] ??= new RowMarks(this.rowCount));
  }
}

/** The rows that may match a request whose tokens are in `request` (r_sub, …). */
export function candidatesOf(
  plan: CandidatePlan,
  request: object,
  all: AllRows,
  marks: MarksByDepth,
  depth = 0,
): Candidates {
  switch (plan.kind) {
    case 'all':
      return all;
    case 'term':
      return termCandidates(plan, request, all);
    case 'or':
      return unionCandidates(plan.children, request, all, marks, depth);
    case 'and':
      return intersectionCandidates(plan.children, request, all, marks, depth);
  }
}

/** A disjunction: every row of any term; all rows as soon as one term cannot narrow. */
function unionCandidates(
  children: readonly CandidatePlan[],
  request: object,
  all: AllRows,
  marks: MarksByDepth,
  depth: number,
): Candidates {
  const parts: Candidates[] = [];
  for (const child of children) {
    const part = candidatesOf(child, request, all, marks, depth);
    if (part === all) return all;
    parts.push(part);
  }
  return new UnionCandidates(parts);
}

/**
 * A conjunction, its terms most selective first: a term that alone leaves more than FEW rows waits
 * for the next one to intersect with; once some rows are listed each further term filters them,
 * and narrowing stops when FEW or fewer are left (the module comment says why).
 */
function intersectionCandidates(
  children: readonly CandidatePlan[],
  request: object,
  all: AllRows,
  marks: MarksByDepth,
  depth: number,
): Candidates {
  let pending: Candidates[] = [];
  let narrowed: readonly number[] | undefined;
  for (const child of children) {
    const part = candidatesOf(child, request, all, marks, depth + 1);
    if (part === all) continue;
    if (narrowed) {
      narrowed = narrowed.filter((row) => part.has(row));
    } else {
      pending.push(part);
      if (pending.length < 2 && part.estimate > FEW) continue;
      narrowed =
        pending.length === 1
          ? part.rows()
          : new IntersectionCandidates(pending, marks.at(depth)).rows();
      pending = [];
    }
    if (narrowed.length <= FEW) break;
  }
  if (narrowed) return new ListCandidates(narrowed);
  return pending[0] ?? all;
}

function termCandidates(
  plan: Extract<CandidatePlan, { kind: 'term' }>,
  request: object,
  all: AllRows,
): Candidates {
  const values: unknown[] = [];
  for (const arg of plan.args) {
    if (arg === undefined) {
      values.push(undefined);
      continue;
    }
    try {
      values.push(evaluate(arg, request));
    } catch {
      return all; // casbin meets the same error on the rows it evaluates
    }
  }
  const keys = plan.index.hint.requestKeys(values);
  return keys ? plan.index.query(keys) : all;
}
