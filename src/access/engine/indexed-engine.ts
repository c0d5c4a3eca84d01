/**
 * Decisions over candidate rows with casbin 5.51.1's semantics (coreEnforcer.privateEnforce):
 * the same context (request and policy tokens, the function map, a fresh g() per decision built
 * by casbin's generateSyncedGFunction over casbin's DefaultRoleManager), the same evaluator on the
 * same syntax tree, the same mapping of matcher results and eft values to effects, and casbin's
 * own DefaultEffectorStream. Only the rows differ: casbin pushes an effect for every row, this
 * pushes one for each candidate, in policy order. That is equivalent for the three supported
 * effects because every other row's matcher is false, i.e. Indeterminate, and an Indeterminate
 * neither decides nor records a rule there; the one Indeterminate pushed first stands for them
 * (deny-override needs at least one push to answer true).
 *
 * One difference remains: a matcher that throws on a row the indexes leave out (say ipMatch on a
 * malformed address) throws in casbin and not here.
 */
import { DefaultEffector, Effect, Util, type RoleManager } from 'casbin';
import { evaluate, type Expression } from './casbin-expression.js';
import { candidatesOf, MarksByDepth, type CandidatePlan } from './candidate-plan.js';
import type { EngineDecision, PolicyEngine, RuleMatch } from './policy-engine.js';
import { AllRows } from './candidates.js';
import type { PolicyRows } from './policy-rows.js';

export interface IndexedEngineParts {
  readonly tree: Expression;
  readonly effect: string;
  readonly requestTokens: readonly string[];
  readonly policyTokens: readonly string[];
  readonly rows: PolicyRows;
  readonly plan: CandidatePlan;
  readonly indexedTerms: readonly string[];
  /** casbin's function map (built-ins and custom functions), without g(). */
  readonly functions: Readonly<Record<string, unknown>>;
  readonly roleManagers: ReadonlyMap<string, RoleManager>;
}

type Context = Record<string, unknown>;

export class IndexedEngine implements PolicyEngine {
  readonly indexed = true;
  readonly indexedTerms: readonly string[];
  private readonly all: AllRows;
  private readonly marks: MarksByDepth;
  private readonly eftColumn: number;
  private readonly effector = new DefaultEffector();
  /** The function map, shared by every decision's context through its prototype. */
  private readonly functions: object;

  constructor(private readonly parts: IndexedEngineParts) {
    this.indexedTerms = parts.indexedTerms;
    this.all = new AllRows(parts.rows.length);
    this.marks = new MarksByDepth(parts.rows.length);
    this.eftColumn = parts.policyTokens.indexOf('p_eft');
    this.functions = { ...parts.functions };
  }

  decide(rvals: readonly unknown[]): EngineDecision {
    const { context, candidates } = this.prepare(rvals);
    const stream = this.effector.newStream(this.parts.effect);
    stream.pushEffect(Effect.Indeterminate);
    let rule = -1;
    let evaluated = 0;
    for (const row of candidates) {
      evaluated++;
      const [, recorded, done] = stream.pushEffect(
        this.withEft(row, this.matcherEffect(row, context)),
      );
      if (recorded) rule = row;
      if (done) break;
    }
    return { allowed: stream.current(), rule, evaluated };
  }

  matches(rvals: readonly unknown[]): RuleMatch[] {
    const { context, candidates } = this.prepare(rvals);
    const found: RuleMatch[] = [];
    for (const row of candidates) {
      const effect = this.matcherEffect(row, context);
      if (effect === Effect.Indeterminate) continue;
      const final = this.withEft(row, effect);
      found.push({
        row,
        effect: final === Effect.Allow ? 'allow' : final === Effect.Deny ? 'deny' : 'indeterminate',
      });
    }
    return found;
  }

  private prepare(rvals: readonly unknown[]): { context: Context; candidates: readonly number[] } {
    const { requestTokens, roleManagers, plan } = this.parts;
    if (rvals.length !== requestTokens.length) {
      throw new Error(
        `invalid request size: expected ${requestTokens.length}, got ${rvals.length}`,
      );
    }
    // casbin copies the function map into every row's context; reading it through the prototype
    // gives the evaluator the same names without the copies (tokens are r_…/p_…, never a function).
    const context = Object.create(this.functions) as Context;
    requestTokens.forEach((token, i) => (context[token] = rvals[i]));
    const candidates = candidatesOf(plan, context, this.all, this.marks).rows();
    for (const [name, rm] of roleManagers) context[name] = Util.generateSyncedGFunction(rm);
    return { context, candidates };
  }

  /** The matcher's result on one row, as casbin maps it to an effect before looking at eft. */
  private matcherEffect(row: number, context: Context): Effect {
    const { rows, policyTokens } = this.parts;
    for (let j = 0; j < policyTokens.length; j++) context[policyTokens[j]!] = rows.value(row, j);
    const result = evaluate(this.parts.tree, context);
    switch (typeof result) {
      case 'boolean':
        return result ? Effect.Allow : Effect.Indeterminate;
      case 'number': // casbin passes any other number on as the effect itself
        return result === 0 ? Effect.Indeterminate : result;
      case 'string':
        return result === '' ? Effect.Indeterminate : Effect.Allow;
      default:
        throw new Error('matcher result should only be of type boolean, number, or string');
    }
  }

  private withEft(row: number, effect: Effect): Effect {
    const eft = this.eftColumn === -1 ? undefined : this.parts.rows.value(row, this.eftColumn);
    if (!eft || effect !== Effect.Allow) return effect;
    return eft === 'allow' ? Effect.Allow : eft === 'deny' ? Effect.Deny : Effect.Indeterminate;
  }
}
