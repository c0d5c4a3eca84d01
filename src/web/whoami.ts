/**
 * "Who am I" for the tester (issue 10): GET /idp/profile/whoami shows the account signed in to this
 * browser's IdP session, when the login happened and when the session ends (idp.session.maxLifetime
 * after the login, or idp.session.timeout without a request, whichever comes first), and the
 * session's recent impersonations (session/impersonation-history.ts). Its "Sign out" button posts
 * to /idp/profile/whoami/signout with the session's CSRF token: the record (%P Authn/Logout,
 * act=logout) is written, then the IdP session is destroyed and its cookie cleared
 * (end-idp-session.ts). Relying parties' own sessions are not touched (single logout is started by
 * a relying party: docs/logout.md). The pages are never cached.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { IdpProperties } from '../config/idp-properties.js';
import { AuditAction, AuditField } from '../audit/audit-fields.js';
import { auditTimestamp } from '../audit/audit-format.js';
import type { AuditLog } from '../audit/audit-log.js';
import { requestAuditFields } from '../audit/audit-record.js';
import { IdpError } from '../core/errors.js';
import { formOf } from '../core/form-fields.js';
import {
  activeLogin,
  isSessionCsrfToken,
  sessionCsrfToken,
  type IdpSessionData,
} from '../session/idp-session.js';
import { recentImpersonations } from '../session/impersonation-history.js';
import { endIdpSession } from './end-idp-session.js';
import type { Views } from './views.js';

const WHOAMI_PATH = '/idp/profile/whoami';
const SIGN_OUT_PATH = '/idp/profile/whoami/signout';
export const WHOAMI_PATHS: readonly string[] = [WHOAMI_PATH];
const LOGOUT_PROFILE = 'Authn/Logout';

export interface WhoAmIDeps {
  readonly props: IdpProperties;
  readonly views: Views;
  readonly audit: Pick<AuditLog, 'record'>;
  /**
   * Ends the IdP session and starts telling the services that got assertions in it (SAML single
   * logout, wired by idp.ts): returns the URL the browser goes on to, or undefined when nobody is
   * left to tell. Left out, the session simply ends.
   */
  readonly endSession?: (req: Request, res: Response, user: string) => Promise<string | undefined>;
}

export function whoAmIRoutes(deps: WhoAmIDeps): Router {
  const router = express.Router({ caseSensitive: true, strict: false });
  router.get(WHOAMI_PATH, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    await deps.views.render(res, 'whoami', whoAmIModel(deps.props, req));
  });
  router.post(
    SIGN_OUT_PATH,
    express.urlencoded({ extended: false, limit: '8kb' }),
    async (req, res) => {
      res.set('Cache-Control', 'no-store');
      if (!isSessionCsrfToken(req, formOf(req.body)[deps.props.csrfParameter]))
        throw new IdpError('CSRF_TOKEN_INVALID', 'the sign-out form has no valid CSRF token');
      const onward = await signOut(deps, req, res);
      if (onward) res.redirect(303, onward);
      else await deps.views.render(res, 'signed-out', {});
    },
  );
  router.all(SIGN_OUT_PATH, () => {
    throw new IdpError(
      'METHOD_NOT_ALLOWED',
      `${SIGN_OUT_PATH} only takes the sign-out form (POST)`,
    );
  });
  return router;
}

/**
 * Records the sign-out (when someone was signed in), then ends the session: where the services
 * are told, the URL the browser goes on to.
 */
async function signOut(deps: WhoAmIDeps, req: Request, res: Response): Promise<string | undefined> {
  const login = activeLogin(req, deps.props.session.maxLifetimeMs);
  if (login) await deps.audit.record(logoutAuditFields(req, login));
  if (login && deps.endSession) return deps.endSession(req, res, login.principalName);
  await endIdpSession(req, res, deps.props);
  return undefined;
}

function logoutAuditFields(req: Request, login: IdpSessionData) {
  const now = auditTimestamp(Date.now());
  return requestAuditFields(req, {
    [AuditField.START_TIME]: now,
    [AuditField.PROFILE]: LOGOUT_PROFILE,
    [AuditField.USERNAME]: login.principalName,
    [AuditField.AUTHN_INSTANT]: auditTimestamp(login.authnInstant),
    [AuditField.AUTHN_CONTEXT]: login.authnMethod,
    [AuditField.ACTION]: AuditAction.LOGOUT,
  });
}

function whoAmIModel(props: IdpProperties, req: Request, now = Date.now()) {
  const { maxLifetimeMs, timeoutMs } = props.session;
  const login = activeLogin(req, maxLifetimeMs, now);
  if (!login) return { login: undefined };
  const endsAt = login.authnInstant + maxLifetimeMs;
  const idleEndsAt = now + timeoutMs;
  return {
    login,
    loginAt: new Date(login.authnInstant).toISOString(),
    expiresAt: new Date(Math.min(endsAt, idleEndsAt)).toISOString(),
    maxLifetimeEndsAt: new Date(endsAt).toISOString(),
    idleMinutes: Math.round(timeoutMs / 60_000),
    impersonations: recentImpersonations(req).map((i) => ({
      ...i,
      at: new Date(i.at).toISOString(),
    })),
    csrf: { parameterName: props.csrfParameter, token: sessionCsrfToken(req) },
    signOutAction: SIGN_OUT_PATH,
  };
}
