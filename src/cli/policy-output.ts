/** How the policy CLI writes policies, rules and answers for a person to read. */
import type { PolicyRule } from '../access/compiled-policy.js';
import type { PolicyStatus } from '../access/policy-snapshot.js';
import type { AttributeValues } from '../core/attribute-values.js';
import type { PolicyAnswer } from './impersonation-question.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  readonly env: NodeJS.ProcessEnv;
}

export function verdict(allowed: boolean): string {
  return allowed ? 'ALLOW' : 'DENY';
}

export function rule(r: PolicyRule): string {
  return `${r.at}  p, ${r.values.join(', ')}`;
}

/** A policy's answer: the verdict, the rule casbin's enforceEx names, and every rule that matched. */
export function policyAnswer(a: PolicyAnswer, note?: string): string[] {
  const title = `${a.name}${a.property ? ` (${a.property})` : ''}: ${verdict(a.allowed)}${note ? `  [${note}]` : ''}`;
  const request = `  request: sub=${a.request.subject} rp=${a.request.relyingParty} act=${a.request.operation} obj=${JSON.stringify(a.request.resource)}${a.request.level ? ` level=${a.request.level}` : ''}`;
  if (!a.explanation)
    return [title, request, '  no such policy in access-control.yaml: a missing policy denies'];
  const { decision, matches } = a.explanation;
  const lines = [title, request];
  const decidedAt = decision.matchedAt?.[0];
  const decidedBy = decidedAt === undefined ? undefined : matches.find((m) => m.at === decidedAt);
  if (decidedBy) lines.push(`  decided by ${rule(decidedBy)}`);
  else if (matches.length === 0) lines.push('  no rule matches: denied by default');
  else lines.push('  no rule decides: denied by default');
  if (matches.length > 0) {
    lines.push(`  rules that match (${matches.length}):`);
    for (const m of matches) lines.push(`    ${m.effect.padEnd(6)} ${rule(m)}`);
  }
  return lines;
}

/** The user's values of the attributes the policies speak about, then the others' names. */
export function attributesUsed(attributes: AttributeValues, used: readonly string[]): string[] {
  const lines = used.map(
    (id) => `  ${id} = ${attributes[id]?.length ? attributes[id].join(', ') : '(none)'}`,
  );
  const others = Object.keys(attributes).filter((id) => !used.includes(id));
  if (others.length > 0) lines.push(`  (not used by the policies: ${others.join(', ')})`);
  return lines;
}

export function policyStatus(p: PolicyStatus, referencedBy: readonly string[]): string[] {
  return [
    `${p.name}  (${p.declaredAt}${referencedBy.length ? `; ${referencedBy.join(', ')}` : ''})`,
    `  model   ${p.modelFile}`,
    `  policy  ${p.policyFile}`,
    `  rules   ${Object.entries(p.rules)
      .map(([type, n]) => `${n.toLocaleString('en')} ${type}`)
      .join(', ')}`,
    p.indexed
      ? `  engine  indexed: ${p.indexedTerms.join(', ')}`
      : `  engine  plain casbin (not indexed: ${p.note ?? ''})`,
    `  built   in ${p.buildMs} ms`,
  ];
}
