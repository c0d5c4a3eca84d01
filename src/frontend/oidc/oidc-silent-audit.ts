/**
 * Audit records for silent (prompt=none) authorizations the IdP refuses: the client gets
 * login_required or interaction_required (interaction-policy.ts), and the audit log a record with
 * act=refuse, %e the IdP event that stopped the pipeline's dry run (NoPassive, AccountDisabled, …)
 * and %det error=<the OAuth error code>. Written before the redirect leaves, like every OIDC record;
 * if it cannot be written the client gets nothing and the browser an error page.
 */
import type { Request } from 'express';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { AuditAction, AuditField, auditDetails } from '../../audit/audit-fields.js';
import type { IdpEvent } from '../../core/events.js';
import { common, withholdAuthorization, type OidcAuditDeps } from './oidc-audit.js';
import { OIDC_SSO_PROFILE, param } from './oidc-paths.js';

/** The IdP's reason for refusing a silent request, noted by the interaction policy's judge. */
const refusals = new WeakMap<object, IdpEvent>();

/** Notes why a silent request is refused; returns the OAuth error it is answered with. */
export function refuseSilently<E extends string>(
  ctx: KoaContextWithOIDC,
  event: IdpEvent,
  error: E,
): E {
  refusals.set(ctx, event);
  return error;
}

export function silentRefusalAuditMiddleware(deps: OidcAuditDeps) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const event = refusals.get(ctx);
    const error = event && errorOf(ctx);
    if (!event || !error) return;
    const login = (ctx.req as Request).session?.idp;
    const fields = common(ctx, undefined, OIDC_SSO_PROFILE, login?.principalName ?? '');
    fields.set(AuditField.ACTION, [AuditAction.REFUSE]);
    fields.set(AuditField.EVENT, [event]);
    fields.set(AuditField.STATUS, [error]);
    fields.set(AuditField.DETAILS, auditDetails({ error }));
    fields.set(AuditField.OUTBOUND_BINDING, [param(ctx.oidc.params?.response_mode, 'query')]);
    try {
      await deps.audit.record(fields);
    } catch (err) {
      await withholdAuthorization(ctx, deps, err);
    }
  };
}

/** The OAuth error the response carries to the client, if it is an error redirect. */
function errorOf(ctx: KoaContextWithOIDC): string | undefined {
  const location = ctx.response.get('Location');
  if (location) {
    const url = new URL(location);
    return (
      url.searchParams.get('error') ??
      new URLSearchParams(url.hash.slice(1)).get('error') ??
      undefined
    );
  }
  const body = ctx.body;
  // form_post: the error is a hidden field of the auto-submitting page.
  if (typeof body === 'string') return /name="error" value="([a-z_]+)"/.exec(body)?.[1];
  return undefined;
}
