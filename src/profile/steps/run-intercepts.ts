/** Step 3: the relying party's post-authentication intercept flows, in order. */
import { PROCEED } from '../../intercept/intercept-flow.js';
import type { InterceptResult } from '../../intercept/intercept-runner.js';
import type { ProfileStepHandler, StepResult } from './profile-step.js';
import { NEXT } from './profile-step.js';

function asStep(result: InterceptResult): StepResult {
  if ('view' in result) return result;
  return result.event === PROCEED ? NEXT : { event: result.event };
}

export const runIntercepts: ProfileStepHandler = {
  step: 'intercept',

  async run({ prc, rp, services }) {
    if (!prc.intercept && !services.intercepts.begin(prc, rp)) return { event: 'InvalidProfileConfiguration' };
    return asStep(await services.intercepts.run({ prc, relyingParty: rp }));
  },

  async resume({ prc, rp, services }, event, form) {
    return asStep(await services.intercepts.resume({ prc, relyingParty: rp }, event, form));
  },
};
