/**
 * One named policy, compiled: its casbin model and rows, the engine that decides, and the request
 * its model sees. The request is built from these tokens, in whatever order the model's
 * [request_definition] lists them:
 *
 *   sub    the real principal's name          attrs  the real principal's unfiltered attributes
 *   rp     the relying party id               act    the operation ("impersonate")
 *   obj    the resource (the requested account; "" for the general check)
 *   ip     the client's IP address ("" when the caller has none), for ipMatch
 *   tattrs the requested account's unfiltered attributes ({} for the general check)
 *   level  the impersonation level asked for ("" for the general check)
 */
import { ConfigurationError } from '../core/errors.js';
import type { AccessControl, AccessDecision, AccessRequest } from './access-control.js';
import { ATTRIBUTE_PREFIX, BEYOND_PREFIX, CUSTOM_FUNCTIONS } from './casbin-functions.js';
import { CUSTOM_FUNCTION_HINTS } from './casbin-function-hints.js';
import { CasbinModel } from './engine/casbin-model.js';
import { checkMatcher, compileEngine } from './engine/compile-engine.js';
import { turnsOf, type Pacing } from './engine/cooperative.js';
import type { PolicyEngine } from './engine/policy-engine.js';
import { PolicyRows } from './engine/policy-rows.js';
import { readPolicyRules, type PolicyRules } from './engine/policy-rules.js';
import { PolicyErrors } from './policy-errors.js';
import type { NamedPolicyFiles } from './policy-files.js';
import { PolicySet } from './policy-set.js';
import { wholeText, type DecodedText } from './policy-text.js';

const REQUEST_TOKENS = ['sub', 'attrs', 'rp', 'act', 'obj', 'ip', 'tattrs', 'level'] as const;
type RequestToken = (typeof REQUEST_TOKENS)[number];

/** Rules kept ready to be named in decisions (the ones that decide are few; a bound all the same). */
const MAX_NAMED = 10_000;

/** How the build pauses for the event loop (engine/cooperative.ts). */
export type CompileOptions = Pacing;

/** A p row as an explanation shows it: its values and where it is written. */
export interface PolicyRule {
  readonly values: readonly string[];
  /** "conf/access-control/x.policy.csv:12" */
  readonly at: string;
}

export interface PolicyExplanation {
  readonly decision: AccessDecision;
  /** Every rule whose matcher held, in policy order, with its effect. */
  readonly matches: readonly (PolicyRule & {
    readonly effect: 'allow' | 'deny' | 'indeterminate';
  })[];
}

export class CompiledPolicy implements AccessControl {
  private readonly pRows: PolicyRows;
  private readonly pLines: Int32Array;
  /** Rows already named in a decision: their values and "file:line". */
  private readonly named = new Map<number, PolicyRule>();

  constructor(
    readonly files: NamedPolicyFiles,
    readonly model: CasbinModel,
    readonly rules: PolicyRules,
    readonly engine: PolicyEngine,
    private readonly tokens: readonly RequestToken[],
    readonly buildMs: number,
  ) {
    this.pRows = rules.rows.get('p') ?? PolicyRows.empty(0);
    this.pLines = rules.lines.get('p') ?? new Int32Array(0);
  }

  get name(): string {
    return this.files.name;
  }

  checkAccess(request: AccessRequest): AccessDecision {
    const { allowed, rule } = this.engine.decide(this.requestValues(request));
    const matched = rule === -1 ? [] : [this.rule(rule)];
    return {
      allowed,
      policy: this.name,
      matched: matched.map((r) => r.values),
      matchedAt: matched.map((r) => r.at),
    };
  }

  explain(request: AccessRequest): PolicyExplanation {
    return {
      decision: this.checkAccess(request),
      matches: this.engine
        .matches(this.requestValues(request))
        .map((m) => ({ ...this.rule(m.row), effect: m.effect })),
    };
  }

  /** Rows per type: { p: 3, g: 1, g2: 1 }. */
  get ruleCounts(): Record<string, number> {
    return Object.fromEntries([...this.rules.rows].map(([type, rows]) => [type, rows.length]));
  }

  /** Attribute ids the rows speak about ("attr:NAME" / "attr:NAME=VALUE" values). */
  get attributeIds(): string[] {
    const ids = new Set<string>();
    for (const v of this.pRows.values())
      if (v.startsWith(ATTRIBUTE_PREFIX)) ids.add(v.slice(ATTRIBUTE_PREFIX.length).split('=')[0]!);
    return [...ids];
  }

  /** Attribute ids the escalation guard's rows speak about ("beyond:NAME" values). */
  get guardedAttributeIds(): string[] {
    const ids = new Set<string>();
    for (const v of this.pRows.values())
      if (v.startsWith(BEYOND_PREFIX)) ids.add(v.slice(BEYOND_PREFIX.length));
    return [...ids];
  }

  private rule(row: number): PolicyRule {
    let rule = this.named.get(row);
    if (!rule) {
      rule = { values: this.pRows.row(row), at: `${this.rules.label}:${this.pLines[row]!}` };
      if (this.named.size < MAX_NAMED) this.named.set(row, rule);
    }
    return rule;
  }

  private requestValues(request: AccessRequest): unknown[] {
    const values: Record<RequestToken, unknown> = {
      sub: request.subject,
      attrs: request.attributes,
      rp: request.relyingParty,
      act: request.operation,
      obj: request.resource,
      ip: request.clientAddress ?? '',
      tattrs: request.targetAttributes ?? {},
      level: request.level ?? '',
    };
    return this.tokens.map((t) => values[t]);
  }
}

/** Reads, checks and compiles one named policy; every problem is a ConfigurationError with file:line. */
export async function compilePolicy(
  files: NamedPolicyFiles,
  options: CompileOptions,
): Promise<CompiledPolicy> {
  const turns = turnsOf(options);
  const set = await PolicySet.ofFiles([files]);
  const [model, policy] = [
    await set.decode(files.modelFile, turns),
    await set.decode(files.policyFile, turns),
  ];
  const problems = [...model.problems, ...policy.problems];
  if (problems.length > 0) throw new PolicyErrors(problems);
  return compilePolicyText(files, model, policy, { turns });
}

/**
 * Compiles one named policy from its files as read and decoded (policy-set.ts), which must be
 * complete, clean text (their `problems` empty); every problem is a ConfigurationError with file:line.
 */
export async function compilePolicyText(
  files: NamedPolicyFiles,
  modelSource: DecodedText,
  policySource: DecodedText,
  options: CompileOptions,
): Promise<CompiledPolicy> {
  const started = performance.now();
  const turns = turnsOf(options);
  const model = CasbinModel.parse(wholeText(modelSource), files.modelLabel);
  const problems: ConfigurationError[] = [];
  const tokens = model.requestTokens.map((t) => t.replace(/^r_/, ''));
  for (const t of tokens) {
    if (!REQUEST_TOKENS.includes(t as RequestToken)) {
      problems.push(
        model.error('r', 'r', `unknown request token ${t} (use ${REQUEST_TOKENS.join(', ')})`),
      );
    }
  }
  try {
    checkMatcher(model, CUSTOM_FUNCTIONS);
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    problems.push(err);
  }
  const reading = await readPolicyRules(
    policySource.chunks.map((c) => c.text),
    files.policyLabel,
    model,
    { turns },
  );
  problems.push(...reading.problems);
  if (problems.length > 0) throw new PolicyErrors(problems);
  const rules = reading.rules;
  const engine = await compileEngine(model, rules, {
    functions: CUSTOM_FUNCTIONS,
    hints: CUSTOM_FUNCTION_HINTS,
    turns,
  });
  return new CompiledPolicy(
    files,
    model,
    rules,
    engine,
    tokens as RequestToken[],
    performance.now() - started,
  );
}
