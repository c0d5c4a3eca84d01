/**
 * What a compiled policy answers: casbin's decision for a request, the rule casbin's enforceEx
 * would name, and — for explanations — every rule that matched.
 */
export interface EngineDecision {
  readonly allowed: boolean;
  /** Position of the rule enforceEx reports (among the p rows), or -1 when it reports none. */
  readonly rule: number;
  /** Rows the matcher was evaluated on. */
  readonly evaluated: number;
}

export interface RuleMatch {
  readonly row: number;
  /** The row's effect once its matcher held (allow, deny, or neither for other eft values). */
  readonly effect: 'allow' | 'deny' | 'indeterminate';
}

export interface PolicyEngine {
  /** Whether decisions use the indexes (false: plain casbin enforceExSync over every row). */
  readonly indexed: boolean;
  /** Why the engine is not indexed. */
  readonly note?: string;
  /** The matcher terms answered by an index, as written. */
  readonly indexedTerms: readonly string[];
  /** Synchronous: the AccessControl interface is. */
  decide(rvals: readonly unknown[]): EngineDecision;
  /** Every p row whose matcher holds for the request, in policy order. */
  matches(rvals: readonly unknown[]): RuleMatch[];
}
