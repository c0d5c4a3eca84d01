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
import { turnsOf, type Pacing, type Turns } from './cooperative.js';
import { IndexedEngine } from './indexed-engine.js';
import { memoizedStringPredicate } from './memoized.js';
import { BUILT_IN_HINTS, roleHint, type IndexHint } from './index-hints.js';
import { planMatcher, planTerms } from './matcher-plan.js';
import type { PolicyEngine } from './policy-engine.js';
import { PolicyRows } from './policy-rows.js';
import type { PolicyRules } from './policy-rules.js';
import { CASBIN_MAX_HIERARCHY_LEVEL, RoleGraph } from './role-graph.js';

export interface EngineOptions extends Pacing {
  /** Custom matcher functions, as for enforcer.addFunction. */
  readonly functions: Readonly<Record<string, MatcherFunction>>;
  /** Index hints for custom functions, by function name. */
  readonly hints: ReadonlyMap<string, IndexHint>;
}

const INDEXED_EFFECTS: readonly string[] = [
  EFFECTS.allowOverride,
  EFFECTS.denyOverride,
  EFFECTS.allowAndDeny,
];

/** The function map a decision sees: casbin's built-ins, then the custom functions. */
function functionMap(custom: Readonly<Record<string, MatcherFunction>>): Map<string, unknown> {
  const fm = FunctionMap.loadFunctionMap();
  for (const [name, fn] of Object.entries(custom)) fm.addFunction(name, fn);
  return fm.getFunctions() as Map<string, unknown>;
}

/** The matcher's syntax tree; a ConfigurationError (file:line) when it names an unknown function or token. */
export function checkMatcher(
  model: CasbinModel,
  custom: Readonly<Record<string, MatcherFunction>>,
) {
  const known = new Set([...functionMap(custom).keys(), ...model.roleTypes.keys()]);
  if (Util.hasEval(model.matcher)) known.add('eval');
  return model.matcherTree(known);
}

export async function compileEngine(
  model: CasbinModel,
  rules: PolicyRules,
  options: EngineOptions,
): Promise<PolicyEngine> {
  const turns = turnsOf(options);
  const functions = functionMap(options.functions);
  const tree = checkMatcher(model, options.functions);
  const usesEval = Util.hasEval(model.matcher);

  const policyTokens = model.policyTypes.get('p') ?? [];
  const rows = rules.rows.get('p') ?? PolicyRows.empty(policyTokens.length);
  const fallback = (note: string) => CasbinEngine.create(model, rules, options.functions, note);
  if (!INDEXED_EFFECTS.includes(model.effect))
    return fallback('the effect depends on rule priority');
  if (usesEval) return fallback('the matcher uses eval()');
  if (policyTokens.includes('p_priority')) return fallback('rows have a priority column');
  if (rows.length === 0) return fallback('the policy has no p rows');
  if (!model.matcher.includes('p_')) return fallback('the matcher does not read policy rows');

  const roleManagers = new Map<string, RoleManager>();
  const hints = new Map<string, IndexHint>([...BUILT_IN_HINTS, ...options.hints]);
  for (const [type, arity] of model.roleTypes) {
    const rows = rules.rows.get(type) ?? PolicyRows.empty(arity);
    if (arity === 2) {
      const graph = await RoleGraph.build(rows, turns); // g(), g2() …: the graph both the index and casbin's g() read
      roleManagers.set(type, graph);
      hints.set(type, roleHint(type, graph));
    } else {
      roleManagers.set(type, await buildDomainRoles(rows, turns));
    }
  }

  const plan = planMatcher(tree, {
    requestTokens: new Set(model.requestTokens),
    policyTokens,
    hints,
  });
  if (plan.kind === 'all') return fallback('no term of the matcher can use an index');
  return new IndexedEngine({
    tree,
    effect: model.effect,
    requestTokens: model.requestTokens,
    policyTokens,
    rows,
    plan: await buildCandidatePlan(plan, rows, turns),
    indexedTerms: planTerms(plan),
    // casbin's own globMatch, its results remembered: it recompiles the glob on every call (memoized.ts).
    functions: {
      ...Object.fromEntries(functions),
      globMatch: memoizedStringPredicate(Util.globMatch),
    },
    roleManagers,
  });
}

/** A role definition with domains (g = _, _, _): casbin's own role manager, as Assertion.buildRoleLinks fills it. */
async function buildDomainRoles(rows: PolicyRows, turns: Turns): Promise<RoleManager> {
  const manager = new DefaultRoleManager(CASBIN_MAX_HIERARCHY_LEVEL);
  for (let i = 0; i < rows.length; i++) {
    if (turns.due()) await turns.pause();
    const [name, role, ...domain] = rows.row(i) as [string, string, ...string[]];
    await manager.addLink(name, role, ...domain);
  }
  return manager;
}
