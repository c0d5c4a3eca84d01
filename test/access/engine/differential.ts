/**
 * The differential check behind differential-*.test.ts: for a generated policy and seeded random
 * requests, the engine's decision and explanation must equal casbin's own enforceExSync on the
 * same model text and policy text (loaded by casbin's StringAdapter, so the two CSV readings are
 * compared too). A failure names the seed and the request, which reproduce it.
 */
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { generatePolicy, seededRandom, type Shape } from '../../../bench/policy-generator.js';
import { CUSTOM_FUNCTION_HINTS } from '../../../src/access/casbin-function-hints.js';
import { CUSTOM_FUNCTIONS } from '../../../src/access/casbin-functions.js';
import { CasbinModel } from '../../../src/access/engine/casbin-model.js';
import { compileEngine } from '../../../src/access/engine/compile-engine.js';
import type { IndexHint } from '../../../src/access/engine/index-hints.js';
import { readPolicyRules } from '../../../src/access/engine/policy-rules.js';
import { NO_PAUSES } from '../../../src/access/engine/cooperative.js';
import type { AccessRequest } from '../../../src/access/access-control.js';

export interface DifferentialCase {
  readonly model: string;
  readonly seed: number;
  /** p rows, and accounts (each with one to three roles): a few thousand rows in all. */
  readonly rows: number;
  readonly users: number;
  readonly requests: number;
  readonly shape?: Shape;
  /** Hints replacing the real ones (to show the check catches a wrong index). */
  readonly hints?: ReadonlyMap<string, IndexHint>;
}

export interface DifferentialResult {
  readonly policyRows: number;
  readonly indexed: boolean;
  readonly sameRows: boolean;
  readonly allowed: number;
  readonly denied: number;
  readonly explained: number;
  readonly mismatches: readonly string[];
}

export async function runDifferential(c: DifferentialCase): Promise<DifferentialResult> {
  const policy = generatePolicy({
    rows: c.rows,
    seed: c.seed,
    shape: c.shape ?? 'mixed',
    users: c.users,
  });
  const enforcer = await newEnforcer(newModelFromString(c.model), new StringAdapter(policy.csv));
  for (const [name, fn] of Object.entries(CUSTOM_FUNCTIONS)) await enforcer.addFunction(name, fn);

  const model = CasbinModel.parse(c.model, 'model.conf');
  const { rules, problems } = await readPolicyRules(policy.csv, 'policy.csv', model, NO_PAUSES);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('\n'));
  const engine = await compileEngine(model, rules, {
    functions: CUSTOM_FUNCTIONS,
    hints: new Map([...CUSTOM_FUNCTION_HINTS, ...(c.hints ?? [])]),
    ...NO_PAUSES,
  });
  const casbinRows = (type: string) =>
    enforcer.getModel().model.get(type.slice(0, 1))?.get(type)?.policy ?? [];
  const sameRows = [...rules.rows].every(
    ([type, rows]) => JSON.stringify(rows.toArrays()) === JSON.stringify(casbinRows(type)),
  );

  const random = seededRandom(c.seed * 7919 + 1);
  const pRows = rules.rows.get('p');
  const mismatches: string[] = [];
  let allowed = 0;
  let explained = 0;
  for (let i = 0; i < c.requests; i++) {
    const r = policy.request(random);
    const values = requestValues(c.model, r);
    const [casbinAllowed, casbinRule] = enforcer.enforceExSync(...values);
    const decision = engine.decide(values);
    const engineRule = decision.rule === -1 || !pRows ? [] : pRows.row(decision.rule);
    if (casbinAllowed) allowed++;
    if (casbinRule.length > 0) explained++;
    if (
      casbinAllowed !== decision.allowed ||
      JSON.stringify(casbinRule) !== JSON.stringify(engineRule)
    ) {
      mismatches.push(
        `seed ${c.seed}, request #${i} ${JSON.stringify(r)}: casbin ${casbinAllowed} ${JSON.stringify(casbinRule)}, engine ${decision.allowed} ${JSON.stringify(engineRule)}`,
      );
    }
  }
  return {
    policyRows: policy.pRows + policy.roleRows,
    indexed: engine.indexed,
    sameRows,
    allowed,
    denied: c.requests - allowed,
    explained,
    mismatches,
  };
}

/** A request as the model's [request_definition] lists its tokens (compiled-policy.ts's names). */
function requestValues(model: string, r: AccessRequest): unknown[] {
  const byToken: Record<string, unknown> = {
    sub: r.subject,
    attrs: r.attributes,
    rp: r.relyingParty,
    act: r.operation,
    obj: r.resource,
    tattrs: r.targetAttributes ?? {},
    level: r.level ?? '',
  };
  const tokens = /^r = (.*)$/m.exec(model)?.[1]?.split(',') ?? [];
  return tokens.map((t) => byToken[t.trim()]);
}

/** The shipped impersonation model with another [policy_effect]. */
export function withEffect(model: string, effect: string): string {
  return model.replace(/^e = .*$/m, `e = ${effect}`);
}
