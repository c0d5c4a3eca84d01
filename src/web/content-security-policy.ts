/**
 * The IdP's Content-Security-Policy. Every page gets a fresh nonce for its inline script (only the
 * auto-submitting response forms have one). form-action stays 'self' — helmet's default — except on
 * a page that posts a response to a relying party, which adds exactly that relying party's origin.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export function setContentSecurityPolicy(res: Response, formTargets: readonly string[] = []): void {
  const nonce = res.locals.cspNonce as string;
  const formAction = ["'self'", ...formTargets.map((url) => new URL(url).origin)].join(' ');
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      `script-src 'self' 'nonce-${nonce}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      `form-action ${formAction}`,
    ].join('; '),
  );
}

export function contentSecurityPolicy() {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    setContentSecurityPolicy(res);
    next();
  };
}
