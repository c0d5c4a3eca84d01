/**
 * Every named policy of conf/access-control.yaml, compiled together into one immutable value —
 * the unit a reload builds off to the side and swaps in. A snapshot is complete or does not exist:
 * building collects every problem of every policy and throws them together (PolicyErrors).
 */
import type { ConfigurationError } from '../core/errors.js';
import { compilePolicyText, type CompiledPolicy, type CompileOptions } from './compiled-policy.js';
import { turnsOf } from './engine/cooperative.js';
import { PolicyErrors } from './policy-errors.js';
import type { NamedPolicyFiles } from './policy-files.js';
import { PolicySet } from './policy-set.js';

export interface PolicyStatus {
  readonly name: string;
  readonly declaredAt: string;
  readonly modelFile: string;
  readonly policyFile: string;
  /** Rows per type: { p: 3, g: 1, g2: 1 }. */
  readonly rules: Readonly<Record<string, number>>;
  /** Whether decisions use the indexes; false means plain casbin over every row. */
  readonly indexed: boolean;
  readonly note?: string;
  readonly indexedTerms: readonly string[];
  readonly buildMs: number;
}

export class PolicySnapshot {
  private constructor(
    readonly policies: ReadonlyMap<string, CompiledPolicy>,
    readonly builtAt: Date,
    readonly buildMs: number,
  ) {}

  /** Compiles every policy of the set as read; or reads these policies' files first. */
  static async build(
    source: PolicySet | readonly NamedPolicyFiles[],
    options: CompileOptions,
  ): Promise<PolicySnapshot> {
    const started = performance.now();
    const set = source instanceof PolicySet ? source : await PolicySet.ofFiles(source);
    const turns = turnsOf(options);
    // A file that is incomplete or not clean text is not compiled: what else is wrong with it
    // would mostly be where the save was cut. Those problems are the only ones reported.
    const incomplete: ConfigurationError[] = [];
    for (const file of set.policyFiles)
      incomplete.push(...(await set.decode(file, turns)).problems);
    if (incomplete.length > 0) throw new PolicyErrors(incomplete);
    const policies = new Map<string, CompiledPolicy>();
    const problems: ConfigurationError[] = [];
    for (const f of set.files) {
      try {
        policies.set(
          f.name,
          await compilePolicyText(
            f,
            await set.decode(f.modelFile, turns),
            await set.decode(f.policyFile, turns),
            { turns },
          ),
        );
      } catch (err) {
        const found = PolicyErrors.of(err);
        if (found.length === 0) throw err;
        problems.push(...found);
      }
    }
    // Policies sharing a model file would report its problems once each.
    const distinct = problems.filter(
      (p, i) => problems.findIndex((q) => q.message === p.message) === i,
    );
    if (distinct.length > 0) throw new PolicyErrors(distinct);
    return new PolicySnapshot(policies, new Date(), performance.now() - started);
  }

  get(name: string): CompiledPolicy | undefined {
    return this.policies.get(name);
  }

  get names(): string[] {
    return [...this.policies.keys()];
  }

  /** Every model and policy file the snapshot was built from (absolute paths). */
  get sourceFiles(): string[] {
    return [
      ...new Set(
        [...this.policies.values()].flatMap((p) => [p.files.modelFile, p.files.policyFile]),
      ),
    ];
  }

  status(): PolicyStatus[] {
    return [...this.policies.values()].map((p) => ({
      name: p.name,
      declaredAt: p.files.declaredAt,
      modelFile: p.files.modelLabel,
      policyFile: p.files.policyLabel,
      rules: p.ruleCounts,
      indexed: p.engine.indexed,
      ...(p.engine.note === undefined ? {} : { note: p.engine.note }),
      indexedTerms: p.engine.indexedTerms,
      buildMs: Math.round(p.buildMs),
    }));
  }
}
