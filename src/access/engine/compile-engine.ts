/**
 * Compiles a casbin model and its rows into a PolicyEngine: the indexed engine when the effect is
 * allow-override, deny-override or allow-and-deny and the matcher has an indexable term; plain
 * casbin otherwise, with a note saying why. Either way the matcher is checked first (syntax,
 * tokens, functions), so a model casbin would only reject at the first decision fails to load.
 */
import { DefaultRoleManager, FunctionMap, Util, type RoleManager } from 'casbin';
import { CasbinEngine, type MatcherFunction } from './casbin-engine.js';
import { EFFECTS, type CasbinModel } from './casbin-model.js';
import { buildCandidatePlan } from './candidate-plan.js';
import { due, nextTurn } from './cooperative.js';
import { IndexedEngine } from './indexed-engine.js';
import { memoizedStringPredicate } from './memoized.js';
import { BUILT_IN_HINTS, roleHint, type IndexHint } from './index-hints.js';
import { planMatcher, planTerms } from './matcher-plan.js';
import type { PolicyEngine } from './policy-engine.js';
import type { PolicyRules } from './policy-rules.js';
import { CASBIN_MAX_HIERARCHY_LEVEL, RoleGraph } from './role-graph.js';

export interface EngineOptions {
  /** Custom matcher functions, as for enforcer.addFunction. */
  readonly functions: Readonly<Record<string, MatcherFunction>>;
  /** Index hints for custom functions, by function name. */
  readonly hints: ReadonlyMap<string, IndexHint>;
  /** Rows between pauses for the event loop (0: never pause). */
  readonly yieldEvery: number;
}

const INDEXED_EFFECTS: readonly string[] = [EFFECTS.allowOverride, EFFECTS.denyOverride, EFFECTS.allowAndDeny];

/** The function map a decision sees: casbin's built-ins, then the custom functions. */
function functionMap(custom: Readonly<Record<string, MatcherFunction>>): Map<string, unknown> {
  const fm = FunctionMap.loadFunctionMap();
  for (const [name, fn] of Object.entries(custom)) fm.addFunction(name, fn);
  return fm.getFunctions() as Map<string, unknown>;
}

/** The matcher's syntax tree; a ConfigurationError (file:line) when it names an unknown function or token. */
export function checkMatcher(model: CasbinModel, custom: Readonly<Record<string, MatcherFunction>>) {
  const known = new Set([...functionMap(custom).keys(), ...model.roleTypes.keys()]);
  if (Util.hasEval(model.matcher)) known.add('eval');
  return model.matcherTree(known);
}

export async function compileEngine(model: CasbinModel, rules: PolicyRules, options: EngineOptions): Promise<PolicyEngine> {
  const functions = functionMap(options.functions);
  const tree = checkMatcher(model, options.functions);
  const usesEval = Util.hasEval(model.matcher);

  const rows = rules.rows.get('p') ?? [];
  const policyTokens = model.policyTypes.get('p') ?? [];
  const fallback = (note: string) => CasbinEngine.create(model, rules, options.functions, note);
  if (!INDEXED_EFFECTS.includes(model.effect)) return fallback('the effect depends on rule priority');
  if (usesEval) return fallback('the matcher uses eval()');
  if (policyTokens.includes('p_priority')) return fallback('rows have a priority column');
  if (rows.length === 0) return fallback('the policy has no p rows');
  if (!model.matcher.includes('p_')) return fallback('the matcher does not read policy rows');

  const roleManagers = new Map<string, RoleManager>();
  const hints = new Map<string, IndexHint>([...BUILT_IN_HINTS, ...options.hints]);
  for (const [type, arity] of model.roleTypes) {
    const { manager, graph } = await buildRoles(rules.rows.get(type) ?? [], arity, options.yieldEvery);
    roleManagers.set(type, manager);
    if (graph) hints.set(type, roleHint(type, graph));
  }

  const plan = planMatcher(tree, { requestTokens: new Set(model.requestTokens), policyTokens, hints });
  if (plan.kind === 'all') return fallback('no term of the matcher can use an index');
  return new IndexedEngine({
    tree,
    effect: model.effect,
    requestTokens: model.requestTokens,
    policyTokens,
    rows,
    plan: await buildCandidatePlan(plan, rows, options.yieldEvery),
    indexedTerms: planTerms(plan),
    // casbin's own globMatch, its results remembered: it recompiles the glob on every call (memoized.ts).
    functions: { ...Object.fromEntries(functions), globMatch: memoizedStringPredicate(Util.globMatch) },
    roleManagers,
  });
}

/** casbin's role manager for g(), as Assertion.buildRoleLinks fills it, and the graph the index reads. */
async function buildRoles(rows: readonly (readonly string[])[], arity: number, yieldEvery: number) {
  const manager = new DefaultRoleManager(CASBIN_MAX_HIERARCHY_LEVEL);
  const graph = arity === 2 ? new RoleGraph() : undefined;
  for (let i = 0; i < rows.length; i++) {
    if (due(i, yieldEvery)) await nextTurn();
    const [name, role, ...domain] = rows[i]! as [string, string, ...string[]];
    await manager.addLink(name, role, ...domain);
    graph?.addLink(name, role);
  }
  return { manager, graph };
}
