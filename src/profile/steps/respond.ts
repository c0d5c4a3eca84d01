/**
 * Step 4: the protocol front-end builds the response, writes its audit record, and sends it.
 *
 * At impersonation level delegate the subject's attributes first gain those naming the actor
 * (delegationActor definitions of attribute-resolver.yaml), filtered for the relying party like
 * any other — so an attribute naming who acted exists only at delegate, and reaches only the
 * relying parties the attribute filter releases it to.
 */
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import { IdpError } from '../../core/errors.js';
import { isResolved, type ResolvedContext } from '../../core/request-context.js';
import type { ProtocolFrontEnd } from '../../frontend/protocol-front-end.js';
import { atStage, type ProfileStepHandler } from './profile-step.js';

export interface RespondServices {
  readonly frontEnds: ReadonlyMap<string, Pick<ProtocolFrontEnd, 'respond'>>;
  readonly resolver: Pick<AttributeResolver, 'actorAttributes'>;
  readonly filter: Pick<AttributeFilter, 'filter'>;
}

export function respondStep(services: RespondServices): ProfileStepHandler {
  return atStage(isResolved, {
    step: 'respond',
    releases: true,

    async run({ exchange, prc, rp }) {
      const frontEnd = services.frontEnds.get(prc.frontEnd);
      if (!frontEnd) throw new IdpError('INTERNAL', `no protocol front-end ${prc.frontEnd}`);
      addActorAttributes(prc, rp.id, services);
      await frontEnd.respond(exchange, prc);
      return { sent: true };
    },
  });
}

function addActorAttributes(
  prc: ResolvedContext,
  relyingPartyId: string,
  services: RespondServices,
): void {
  const impersonation = prc.subject.impersonation;
  if (impersonation?.level !== 'delegate') return;
  const actor = services.resolver.actorAttributes(
    impersonation.resolutionLabel,
    impersonation.impersonator,
  );
  prc.attributes = {
    unfiltered: { ...prc.attributes.unfiltered, ...actor },
    filtered: { ...prc.attributes.filtered, ...services.filter.filter(actor, relyingPartyId) },
  };
}
