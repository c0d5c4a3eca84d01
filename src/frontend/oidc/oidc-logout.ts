/**
 * OpenID Connect RP-initiated logout (the end-session endpoint, /idp/profile/oidc/logout) that
 * ends the IdP session too. oidc-provider asks the user to confirm on the IdP's page
 * (views/oidc/logout-confirm.ejs) and, on "yes", ends its carrier session (carrier-session.ts)
 * and answers with the redirect to the client's post_logout_redirect_uri (or its success page).
 * Before that answer leaves, the logout is audited (%P OIDC/Logout, the real user in %u — or, when
 * the client's session was an impersonation, the target in %u and the real user in %uu), then the
 * IdP session ends; when SAML service providers got assertions in it, the browser goes to SAML
 * propagation first (logout-propagation.ts), which ends at that same redirect.
 */
import type { Request, Response } from 'express';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { AuditAction, AuditField, auditDetails } from '../../audit/audit-fields.js';
import { auditTimestamp } from '../../audit/audit-format.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { requestAuditFields } from '../../audit/audit-record.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { RelyingPartyRegistry } from '../../relying-party/relying-party.js';
import { activeLogin } from '../../session/idp-session.js';
import { samlParticipants } from '../../session/session-participants.js';
import type { Views } from '../../web/views.js';
import { accounts } from '../saml/logout/logout-audit.js';
import { endSessionForLogout, LOGOUT_CONTINUE_PATH } from '../saml/logout/logout-progress.js';
import type { LogoutPages } from './openid-provider.js';

const OIDC_LOGOUT_PROFILE = 'OIDC/Logout';

export interface OidcLogoutDeps {
  readonly props: IdpProperties;
  readonly audit: Pick<AuditLog, 'record'>;
  readonly views: Views;
  readonly relyingParties: RelyingPartyRegistry;
}

/** The confirmation and success pages, drawn by the IdP's views. */
export function logoutPages(deps: OidcLogoutDeps): LogoutPages {
  const page = async (ctx: KoaContextWithOIDC, view: string, model: Record<string, unknown>) => {
    const client = deps.relyingParties.oidc(ctx.oidc.client?.clientId ?? '');
    ctx.type = 'html';
    ctx.body = await deps.views.renderToString(
      view,
      { client: client?.displayName, ...model },
      (ctx.res as Response).locals?.cspNonce as string | undefined,
    );
  };
  return {
    logoutSource: (ctx) =>
      page(ctx, 'oidc/logout-confirm', {
        action: ctx.oidc.urlFor('end_session_confirm'),
        xsrf: (ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? '',
      }),
    postLogoutSuccessSource: (ctx) => page(ctx, 'oidc/logout-success', {}),
  };
}

/** After oidc-provider confirmed a logout: audited, the IdP session ended, SAML told. */
export function idpLogoutMiddleware(deps: OidcLogoutDeps) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const req = ctx.req as Request;
    if (!confirmedLogout(ctx) || !req.session) return;
    const user = activeLogin(req, deps.props.session.maxLifetimeMs)?.principalName;
    await deps.audit.record(logoutRecord(ctx, req, user));
    const finish = { kind: 'redirect', url: ctx.response.get('location') } as const;
    const onward = await endSessionForLogout(req, ctx.res as Response, deps.props, {
      user: user ?? '',
      finish,
    });
    if (onward) ctx.redirect(`${deps.props.baseURL}${LOGOUT_CONTINUE_PATH}`);
    else await onwardPage(ctx, deps.views, finish.url);
  };
}

/**
 * The client's post_logout_redirect_uri from a page rather than oidc-provider's 303: the browser
 * comes from the confirmation form, whose CSP form-action (the IdP only) a browser holds the whole
 * redirect chain to (views/saml/logout-onward.ejs).
 */
async function onwardPage(ctx: KoaContextWithOIDC, views: Views, url: string): Promise<void> {
  ctx.remove('Location');
  ctx.status = 200;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await views.renderToString(
    'saml/logout-onward',
    { url },
    (ctx.res as Response).locals?.cspNonce as string | undefined,
  );
}

/** The user said yes, and oidc-provider ended its session: it now redirects the browser on. */
function confirmedLogout(ctx: KoaContextWithOIDC): boolean {
  return (
    ctx.oidc?.route === 'end_session_confirm' && ctx.status === 303 && !!ctx.oidc.params?.logout
  );
}

/** %u the account the client knew (the carrier session's), %uu the real user when they differ. */
function logoutRecord(ctx: KoaContextWithOIDC, req: Request, user: string | undefined) {
  const accountId = ctx.oidc.session?.accountId;
  const impersonated = user !== undefined && accountId !== undefined && accountId !== user;
  return requestAuditFields(req, {
    [AuditField.START_TIME]: auditTimestamp(Date.now()),
    [AuditField.PROFILE]: OIDC_LOGOUT_PROFILE,
    [AuditField.RELYING_PARTY]: ctx.oidc.client?.clientId,
    ...accounts(user ?? accountId, { principal: accountId ?? '', impersonated }),
    [AuditField.ACTION]: AuditAction.LOGOUT,
    [AuditField.DETAILS]: auditDetails({ samlParticipants: samlParticipants(req).length }),
  });
}
