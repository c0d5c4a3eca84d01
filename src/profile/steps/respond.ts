/** Step 4: the protocol front-end builds the response, writes its audit record, and sends it. */
import { IdpError } from '../../core/errors.js';
import { isResolved } from '../../core/request-context.js';
import type { ProtocolFrontEnd } from '../../frontend/protocol-front-end.js';
import { atStage, type ProfileStepHandler } from './profile-step.js';

export interface RespondServices {
  readonly frontEnds: ReadonlyMap<string, Pick<ProtocolFrontEnd, 'respond'>>;
}

export function respondStep(services: RespondServices): ProfileStepHandler {
  return atStage(isResolved, {
    step: 'respond',
    releases: true,

    async run({ exchange, prc }) {
      const frontEnd = services.frontEnds.get(prc.frontEnd);
      if (!frontEnd) throw new IdpError('INTERNAL', `no protocol front-end ${prc.frontEnd}`);
      await frontEnd.respond(exchange, prc);
      return { sent: true };
    },
  });
}
