/**
 * The IdP SSO session, kept in express-session: who logged in, when and how. It is always the real
 * user's — impersonation never writes to it, so it lasts exactly one request.
 */
import type { Request } from 'express';

export interface IdpSessionData {
  readonly principalName: string;
  readonly authnInstant: number;
  readonly authnMethod: string;
}

declare module 'express-session' {
  interface SessionData {
    idp?: IdpSessionData;
    /** Set on first contact so the session (and its cookie) exists before the first form. */
    createdAt?: number;
  }
}

/** The session's login, if it is still good for SSO. */
export function activeLogin(req: Request, maxLifetimeMs: number, now = Date.now()): IdpSessionData | undefined {
  const login = req.session?.idp;
  if (!login) return undefined;
  return now - login.authnInstant < maxLifetimeMs ? login : undefined;
}

/** A new session id for a new login (session fixation), keeping nothing from before. */
export function startLoginSession(req: Request, login: IdpSessionData): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err as Error);
      req.session.idp = login;
      req.session.createdAt = Date.now();
      resolve();
    });
  });
}
