/**
 * How a request that did not "proceed" ends (Shibboleth's HandleError): events listed in
 * conf/errors.yaml are handled locally with an error page — written to the audit log first when
 * marked true — and every other event goes back to the relying party as a protocol error.
 */
import { AuditAction, AuditField } from '../audit/audit-fields.js';
import { IdpError } from '../core/errors.js';
import { EVENTS, type IdpEvent } from '../core/events.js';
import type { HttpExchange } from '../core/http-exchange.js';
import { quoted } from '../logging/process-log.js';
import { auditFieldsOf } from '../audit/audit-record.js';
import type { ProfileRequestContext } from '../core/request-context.js';
import type { ProfileServices } from './profile-services.js';

export async function endWithEvent(
  exchange: HttpExchange,
  prc: ProfileRequestContext,
  event: IdpEvent,
  services: ProfileServices,
): Promise<void> {
  if (!EVENTS[event].suppressed) {
    services.log
      .child('org.opensaml.profile.action.impl.LogEvent')
      .warn(`A non-proceed event occurred while processing the request: ${quoted(event)}`);
  }
  if (!services.localEvents.has(event)) {
    const frontEnd = services.frontEnds.get(prc.frontEnd);
    if (!frontEnd) throw new IdpError('INTERNAL', `no protocol front-end ${prc.frontEnd}`);
    await frontEnd.respondError(exchange, prc, event);
    return;
  }
  if (services.localEvents.get(event)) {
    // Nothing is released on a local error, so no attributes are listed.
    await services.audit.record(
      auditFieldsOf(prc, exchange.req, {
        [AuditField.EVENT]: event,
        [AuditField.ACTION]: AuditAction.REFUSE,
      }),
    );
  }
  await services.views.renderError(exchange.res, event, EVENTS[event].status, undefined, {
    relyingParty: services.relyingParties.get(prc.relyingPartyId),
    requestedAccount:
      prc.audit[AuditField.REQUESTED_TARGET_CANONICAL]?.[0] ??
      prc.audit[AuditField.REQUESTED_TARGET]?.[0],
  });
}

/**
 * Runs the rest of a request that already has a subject (an answered impersonate form). When the
 * directory or the shared store fails on the way — re-checking the accounts, resolving the
 * target, storing the session — a refusal is put on record first (when the audit log can take
 * it), so the trail shows why nothing was released; the error then goes on to the 503 page.
 */
export async function recordingOutages(
  exchange: HttpExchange,
  prc: ProfileRequestContext,
  services: ProfileServices,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    const event = err instanceof IdpError ? err.event : undefined;
    if (prc.subject && (event === 'DirectoryFailure' || event === 'SharedStoreFailure'))
      await services.audit
        .record(
          auditFieldsOf(prc, exchange.req, {
            [AuditField.EVENT]: event,
            [AuditField.ACTION]: AuditAction.REFUSE,
          }),
        )
        .catch(() => undefined);
    throw err;
  }
}
