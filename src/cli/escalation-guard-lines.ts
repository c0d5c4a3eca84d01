/**
 * `policy explain`'s account of the escalation guard: the specific policy's "beyond:NAME" rows,
 * which deny a target holding a value of NAME the real user does not hold. Says which rows
 * decided and with which values, or that the target holds nothing the user lacks.
 */
import { BEYOND_PREFIX, valuesBeyond } from '../access/casbin-functions.js';
import type { PolicySnapshot } from '../access/policy-snapshot.js';
import type { ImpersonationAnswer } from './impersonation-question.js';

export function escalationGuardLines(a: ImpersonationAnswer, policies: PolicySnapshot): string[] {
  const specific = a.specific;
  if (!specific?.explanation || !a.target?.canonical) return [];
  const guarded = policies.get(specific.name)?.guardedAttributeIds ?? [];
  if (guarded.length === 0)
    return [`Escalation guard: none — ${specific.name} has no beyond:ATTRIBUTE rows`];
  const { targetAttributes, attributes } = specific.request;
  if (a.target.protected && Object.keys(targetAttributes ?? {}).length === 0)
    return [
      'Escalation guard: not evaluated — the account is protected, so its attributes are not resolved',
    ];
  const denying = specific.explanation.matches.filter((m) =>
    (m.values[1] ?? '').startsWith(BEYOND_PREFIX),
  );
  if (denying.length === 0)
    return [
      `Escalation guard: passes — ${a.target.canonical} holds no value of ${guarded.join(', ')} that ${a.user} lacks`,
    ];
  return denying.map((m) => {
    const name = m.values[1]!.slice(BEYOND_PREFIX.length);
    const beyond = valuesBeyond(targetAttributes, attributes, name);
    return `Escalation guard: DENIES — ${a.target!.canonical} holds ${name} ${beyond.join(', ')}, which ${a.user} does not (${m.at})`;
  });
}
