/**
 * DoImpersonate: the request becomes the target's. The subject keeps who really signed in (and
 * the limits, reason and level that go with the impersonation), the principal becomes the target,
 * audit %uu names the real user, and the attributes are the target's — resolved with label
 * intercept/impersonate and filtered for this relying party.
 */
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import { AuditField } from '../../audit/audit-fields.js';
import type { TokenPolicy } from '../../core/request-context.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { quoted } from '../../logging/process-log.js';
import type { InterceptContext } from '../intercept-flow.js';
import type { PermittedTarget } from './impersonation-decision.js';
import type { Choice } from './impersonation-level.js';

export function swapSubject(
  ctx: InterceptContext,
  target: PermittedTarget,
  { level, reason }: Choice,
  tokens: TokenPolicy,
  services: { readonly filter: AttributeFilter; readonly log: ProcessLog },
): void {
  const { prc, relyingParty } = ctx;
  const subject = prc.subject;
  services.log.info(
    `Impersonation by principal ${quoted(subject.principalName)} as ${quoted(target.account)} to relying party ${quoted(relyingParty.id)}${level === 'delegate' ? ' (delegate)' : ''}`,
  );
  subject.impersonation = {
    impersonator: subject.principalName,
    resolutionLabel: target.resolutionLabel,
    tokens,
    reason,
    level: level === 'delegate' ? 'delegate' : 'impersonate',
  };
  subject.principalName = target.account;
  prc.audit[AuditField.IMPERSONATING_USERNAME] = [subject.impersonation.impersonator];
  prc.attributes = {
    unfiltered: target.attributes,
    filtered: services.filter.filter(target.attributes, relyingParty.id),
  };
}
