/**
 * Step 2: resolve the principal's attributes (label = the profile id) and filter them for the
 * relying party. Intercept flows and policies see the unfiltered set; only the filtered set is
 * released.
 */
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import { isAuthenticated } from '../../core/request-context.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { quoted } from '../../logging/process-log.js';
import { atStage, NEXT, type ProfileStepHandler } from './profile-step.js';

export interface ResolveAttributesServices {
  readonly resolver: Pick<AttributeResolver, 'resolve'>;
  readonly filter: Pick<AttributeFilter, 'filter'>;
  readonly log: ProcessLog;
}

export function resolveAttributesStep(services: ResolveAttributesServices): ProfileStepHandler {
  return atStage(isAuthenticated, {
    step: 'resolve-attributes',

    async run({ prc, rp }) {
      const principal = prc.subject.principalName;
      const resolution = await services.resolver.resolve({ principal, label: prc.profile });
      if (!resolution.principalFound) {
        services.log.warn(
          `Account ${quoted(principal)} is no longer in the directory or is disabled`,
        );
        return { event: 'AccountDisabled' };
      }
      prc.attributes = {
        unfiltered: resolution.attributes,
        filtered: services.filter.filter(resolution.attributes, rp.id),
      };
      return NEXT;
    },
  });
}
