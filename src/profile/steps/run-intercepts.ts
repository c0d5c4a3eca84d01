/** Step 3: the relying party's post-authentication intercept flows, in order. */
import { isResolved } from '../../core/request-context.js';
import { PROCEED } from '../../intercept/intercept-flow.js';
import type { InterceptResult, InterceptRunner } from '../../intercept/intercept-runner.js';
import { atStage, NEXT, type ProfileStepHandler, type StepResult } from './profile-step.js';

export interface RunInterceptsServices {
  readonly intercepts: Pick<InterceptRunner, 'begin' | 'run' | 'resume'>;
}

function asStep(result: InterceptResult): StepResult {
  if ('view' in result) return result;
  return result.event === PROCEED ? NEXT : { event: result.event };
}

export function runInterceptsStep({ intercepts }: RunInterceptsServices): ProfileStepHandler {
  return atStage(isResolved, {
    step: 'intercept',

    async run({ prc, rp }) {
      if (!prc.intercept && !intercepts.begin(prc, rp))
        return { event: 'InvalidProfileConfiguration' };
      return asStep(await intercepts.run({ prc, relyingParty: rp }));
    },

    async resume({ prc, rp }, event, form) {
      return asStep(await intercepts.resume({ prc, relyingParty: rp }, event, form));
    },
  });
}
