/**
 * The IdP SSO session, kept in express-session: who logged in, when and how. It is always the real
 * user's — impersonation never writes to it, so it lasts exactly one request.
 */
import { randomBytes } from 'node:crypto';
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
    /** What this browser's waiting forms are bound to (see formBinding). */
    formBinding?: string;
  }
}

/** The session's login, if it is still good for SSO. */
export function activeLogin(req: Request, maxLifetimeMs: number, now = Date.now()): IdpSessionData | undefined {
  const login = req.session?.idp;
  if (!login) return undefined;
  return now - login.authnInstant < maxLifetimeMs ? login : undefined;
}

/**
 * What a waiting form (flow execution) is bound to: a secret kept in the session rather than the
 * session id, because a login gives the session a new id — and the browser's other tabs, waiting
 * at their own forms, must not become stale because one tab signed in.
 */
export function formBinding(req: Request): string {
  return (req.session.formBinding ??= randomBytes(18).toString('base64url'));
}

/**
 * A new session id for a new login (session fixation), keeping nothing from before but the
 * binding of the browser's waiting forms: it is server-side only, so whoever held the old id
 * (which stops working) cannot use it.
 */
export function startLoginSession(req: Request, login: IdpSessionData): Promise<void> {
  const binding = req.session.formBinding;
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err as Error);
      req.session.idp = login;
      req.session.createdAt = Date.now();
      if (binding) req.session.formBinding = binding;
      resolve();
    });
  });
}
