/**
 * Plain casbin, for what the indexed engine does not take on (priority effects, eval() in the
 * matcher, a matcher with no indexable term): an enforcer built off to the side from the rows
 * already read and checked, answering with enforceExSync over every row.
 */
import { newEnforcer, type Adapter, type Enforcer, type Model } from 'casbin';
import type { CasbinModel } from './casbin-model.js';
import type { EngineDecision, PolicyEngine, RuleMatch } from './policy-engine.js';
import type { PolicyRules } from './policy-rules.js';

export type MatcherFunction = (...args: unknown[]) => boolean | number | string;

export class CasbinEngine implements PolicyEngine {
  readonly indexed = false;
  readonly indexedTerms: readonly string[] = [];

  private constructor(
    private readonly enforcer: Enforcer,
    private readonly rows: readonly (readonly string[])[],
    private readonly eftColumn: number,
    readonly note: string,
  ) {}

  static async create(
    model: CasbinModel,
    rules: PolicyRules,
    functions: Readonly<Record<string, MatcherFunction>>,
    note: string,
  ): Promise<CasbinEngine> {
    const enforcer = await newEnforcer(model.newCasbinModel(), new RulesAdapter(rules));
    for (const [name, fn] of Object.entries(functions)) await enforcer.addFunction(name, fn);
    const tokens = model.policyTypes.get('p') ?? [];
    return new CasbinEngine(
      enforcer,
      rules.rows.get('p')?.toArrays() ?? [],
      tokens.indexOf('p_eft'),
      note,
    );
  }

  decide(rvals: readonly unknown[]): EngineDecision {
    const [allowed, rule] = this.enforcer.enforceExSync(...rvals);
    return { allowed, rule: this.rowOf(rule), evaluated: this.rows.length };
  }

  matches(rvals: readonly unknown[]): RuleMatch[] {
    const { rule } = this.decide(rvals);
    if (rule === -1) return [];
    const eft = this.rows[rule]![this.eftColumn];
    return [
      {
        row: rule,
        effect:
          eft === 'deny'
            ? 'deny'
            : eft === 'allow' || eft === undefined
              ? 'allow'
              : 'indeterminate',
      },
    ];
  }

  /** enforceEx names a rule by its values (priority models reorder rows); the first equal row. */
  private rowOf(rule: readonly string[]): number {
    if (rule.length === 0) return -1;
    return this.rows.findIndex(
      (row) => row.length === rule.length && row.every((v, i) => v === rule[i]),
    );
  }
}

/** Hands casbin the rows read by policy-rules.ts, so both engines see exactly the same policy. */
class RulesAdapter implements Adapter {
  constructor(private readonly rules: PolicyRules) {}

  loadPolicy(model: Model): Promise<void> {
    for (const [type, rows] of this.rules.rows) {
      const assertion = model.model.get(type.slice(0, 1))?.get(type);
      for (let i = 0; i < rows.length; i++) assertion?.policy.push(rows.row(i));
    }
    return Promise.resolve();
  }

  savePolicy(): Promise<boolean> {
    return Promise.reject(new Error('policies are edited in their files'));
  }

  addPolicy(): Promise<void> {
    return this.savePolicy().then(() => undefined);
  }

  removePolicy(): Promise<void> {
    return this.savePolicy().then(() => undefined);
  }

  removeFilteredPolicy(): Promise<void> {
    return this.savePolicy().then(() => undefined);
  }
}
