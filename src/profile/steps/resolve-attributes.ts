/**
 * Step 2: resolve the principal's attributes (label = the profile id) and filter them for the
 * relying party. Intercept flows and policies see the unfiltered set; only the filtered set is
 * released.
 */
import { quoted } from '../../logging/process-log.js';
import type { ProfileStepHandler } from './profile-step.js';
import { NEXT } from './profile-step.js';

export const resolveAttributes: ProfileStepHandler = {
  step: 'resolve-attributes',

  async run({ prc, rp, services }) {
    const principal = prc.subject!.principalName;
    const resolution = await services.resolver.resolve({ principal, label: prc.profile });
    if (!resolution.principalFound) {
      services.log.warn(`Account ${quoted(principal)} is no longer in the directory or is disabled`);
      return { event: 'AccountDisabled' };
    }
    prc.attributes = {
      unfiltered: resolution.attributes,
      filtered: services.filter.filter(resolution.attributes, rp.id),
    };
    return NEXT;
  },
};
