/**
 * Ending the IdP session, for every way out: the "Who am I" sign-out, SAML single logout and OIDC
 * RP-initiated logout. The login and everything the session held go; the session id stops working.
 * A logout that still has to tell relying parties carries its progress into a fresh session (a
 * new id, nothing of the login in it); otherwise the session is destroyed and its cookie cleared.
 */
import type { Request, Response } from 'express';
import type { SessionData } from 'express-session';
import type { IdpProperties } from '../config/idp-properties.js';
import { endSession, requireSession, saveSession } from '../session/idp-session.js';

export async function endIdpSession(
  req: Request,
  res: Response,
  props: IdpProperties,
  carry?: Pick<SessionData, 'logout'>,
): Promise<void> {
  if (!carry) {
    await endSession(req);
    clearSessionCookie(res, props);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    requireSession(req).regenerate((err) => (err ? reject(err as Error) : resolve()));
  });
  Object.assign(req.session, carry, { createdAt: Date.now() });
  await saveSession(req);
}

function clearSessionCookie(res: Response, props: IdpProperties): void {
  const { session } = props;
  res.clearCookie(session.cookieName, {
    path: '/idp',
    httpOnly: true,
    sameSite: session.sameSite,
    secure: session.cookieSecure,
  });
}
