/** Step 4: the protocol front-end builds the response, writes its audit record, and sends it. */
import { IdpError } from '../../core/errors.js';
import type { ProfileStepHandler } from './profile-step.js';

export const respond: ProfileStepHandler = {
  step: 'respond',
  releases: true,

  async run({ exchange, prc, services }) {
    const frontEnd = services.frontEnds.get(prc.frontEnd);
    if (!frontEnd) throw new IdpError('INTERNAL', `no protocol front-end ${prc.frontEnd}`);
    await frontEnd.respond(exchange, prc);
    return { sent: true };
  },
};
