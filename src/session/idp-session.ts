/**
 * The IdP SSO session, kept in express-session: who logged in, when and how. It is always the real
 * user's — impersonation never writes to it, so it lasts exactly one request.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { IdpError } from '../core/errors.js';

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
    /** The CSRF token of the session's own forms (the "Who am I" page's sign-out). */
    csrfToken?: string;
  }
}

/** The session's login, if it is still good for SSO. */
export function activeLogin(
  req: Request,
  maxLifetimeMs: number,
  now = Date.now(),
): IdpSessionData | undefined {
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
  return (requireSession(req).formBinding ??= randomBytes(18).toString('base64url'));
}

/** The CSRF token of the session's own forms, created on first use. */
export function sessionCsrfToken(req: Request): string {
  return (requireSession(req).csrfToken ??= randomBytes(20).toString('base64url'));
}

/** Whether `given` is the session's CSRF token (compared in constant time). */
export function isSessionCsrfToken(req: Request, given: string | undefined): boolean {
  const expected = req.session?.csrfToken;
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Ends the IdP session: removed from the store (the caller clears the cookie). */
export function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    requireSession(req).destroy((err) => (err ? reject(err as Error) : resolve()));
  });
}

/**
 * A new session id for a new login (session fixation), keeping nothing from before but the
 * binding of the browser's waiting forms: it is server-side only, so whoever held the old id
 * (which stops working) cannot use it. The session is stored before this resolves, so a store
 * that fails stops the login with an error page rather than after the response has been written.
 */
export async function startLoginSession(req: Request, login: IdpSessionData): Promise<void> {
  const binding = requireSession(req).formBinding;
  await new Promise<void>((resolve, reject) => {
    requireSession(req).regenerate((err) => {
      if (err) return reject(err as Error);
      req.session.idp = login;
      req.session.createdAt = Date.now();
      if (binding) req.session.formBinding = binding;
      resolve();
    });
  });
  await saveSession(req);
}

/** Stores the session now (express-session would otherwise store it as the response ends). */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    requireSession(req).save((err) => (err ? reject(err as Error) : resolve()));
  });
}

/** req.session, which express-session leaves unset when its store is unavailable. */
export function requireSession(req: Request): Request['session'] {
  if (!req.session)
    throw new IdpError('SESSION_STORE_FAILED', 'no IdP session is available for this request');
  return req.session;
}
