/**
 * The identify level: the tester sees exactly what the relying party would receive as the account
 * — its subject identifier and every attribute or claim the filter releases to it — and nothing is
 * sent to the relying party. The preview is audited (act=preview, %utc the account, %a the attribute
 * ids shown) before the page. From the page the tester goes back to the form (the name and reason
 * kept) or, unless the RP requires impersonation, on as themself.
 */
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeResolver } from '../../attribute/attribute-resolver.js';
import { AuditField } from '../../audit/audit-fields.js';
import type { Json } from '../../core/request-context.js';
import { quoted, type ProcessLog } from '../../logging/process-log.js';
import { impersonationMode } from '../../relying-party/rp-impersonation.js';
import type { InterceptContext, InterceptOutcome } from '../intercept-flow.js';
import { recordPreview } from './impersonate-audit.js';
import type { PermittedTarget } from './impersonation-decision.js';
import type { ViewData } from './impersonate-view.js';
import { releasePreview } from './release-preview.js';

/** What the preview page's "Back" restores on the form. */
export interface PreviewState {
  readonly typed: string;
  readonly reason?: string;
}

export async function showPreview(
  ctx: InterceptContext,
  services: {
    readonly filter: AttributeFilter;
    readonly resolver: AttributeResolver;
    readonly log: ProcessLog;
  },
  target: PermittedTarget,
  back: PreviewState,
): Promise<InterceptOutcome> {
  const { prc, relyingParty } = ctx;
  const released = services.filter.filter(target.attributes, relyingParty.id);
  const preview = releasePreview(relyingParty, prc.inbound, target.account, released, (id) =>
    services.resolver.definition(id),
  );
  services.log.info(
    `Impersonation preview (identify) by principal ${quoted(prc.subject.principalName)} as ${quoted(target.account)} to relying party ${quoted(relyingParty.id)}: nothing released`,
  );
  await recordPreview(
    ctx,
    preview.items.map((i) => i.id),
  );
  return {
    view: 'intercept/impersonate-preview',
    model: {
      relyingParty: { id: relyingParty.id, displayName: relyingParty.displayName },
      principalName: prc.subject.principalName,
      target: target.account,
      preview,
      required: impersonationMode(relyingParty.impersonation) === 'required',
    },
    state: {
      back: { typed: back.typed, ...(back.reason === undefined ? {} : { reason: back.reason }) },
    },
  };
}

/**
 * What the preview page parked to go back to; undefined when the parked view is the form (null).
 * The form comes back at identify, the level that was previewed: Back never turns into a release.
 */
export function backFromPreview(state: Json): ViewData | undefined {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return undefined;
  const back = state.back;
  if (back === null || typeof back !== 'object' || Array.isArray(back)) return undefined;
  const str = (v: Json | undefined) => (typeof v === 'string' ? v : undefined);
  return { typed: str(back.typed), reason: str(back.reason), level: 'identify', previewed: true };
}

/** After a preview: what it asked (%ut, %utc, level and reason) no longer describes this request. */
export function forgetPreviewedChoice(ctx: InterceptContext): void {
  const audit = ctx.prc.audit;
  delete audit[AuditField.REQUESTED_TARGET];
  delete audit[AuditField.REQUESTED_TARGET_CANONICAL];
  delete audit[AuditField.DETAILS];
}
