/** Step 3: the relying party's post-authentication intercept flows, in order. */
import type { HttpExchange } from '../../core/http-exchange.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { auditFieldsOf } from '../../audit/audit-record.js';
import { isResolved, type ResolvedContext } from '../../core/request-context.js';
import type { RelyingParty } from '../../relying-party/relying-party.js';
import { PROCEED, type InterceptContext } from '../../intercept/intercept-flow.js';
import type { InterceptResult, InterceptRunner } from '../../intercept/intercept-runner.js';
import { atStage, NEXT, type ProfileStepHandler, type StepResult } from './profile-step.js';

export interface RunInterceptsServices {
  readonly intercepts: Pick<InterceptRunner, 'begin' | 'run' | 'resume'>;
  readonly audit: Pick<AuditLog, 'record'>;
}

function asStep(result: InterceptResult): StepResult {
  if ('view' in result) return result;
  return result.event === PROCEED ? NEXT : { event: result.event };
}

export function runInterceptsStep({
  intercepts,
  audit,
}: RunInterceptsServices): ProfileStepHandler {
  /** What a flow sees: the request, its relying party, and the audit log for this request. */
  const contextOf = (
    exchange: HttpExchange,
    prc: ResolvedContext,
    rp: RelyingParty,
  ): InterceptContext => ({
    prc,
    relyingParty: rp,
    audit: (fields) => audit.record(auditFieldsOf(prc, exchange.req, fields)),
  });
  return atStage(isResolved, {
    step: 'intercept',

    async run({ exchange, prc, rp }) {
      if (!prc.intercept && !intercepts.begin(prc, rp))
        return { event: 'InvalidProfileConfiguration' };
      return asStep(await intercepts.run(contextOf(exchange, prc, rp)));
    },

    async resume({ exchange, prc, rp }, event, form) {
      return asStep(await intercepts.resume(contextOf(exchange, prc, rp), event, form));
    },
  });
}
