/**
 * The one error handler at the edge: whatever went wrong becomes an IdpError, is logged (at most a
 * few lines per error code and interval), and is shown as the error page of its event — or, to a
 * caller that asks for JSON (the admin API), as {error, error_description}. Details are shown for client errors (they help a tester fix a
 * request) and never for server errors.
 */
import type { NextFunction, Request, Response } from 'express';
import { asIdpError, IdpError, type IdpErrorCode } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';
import { RateLimitedLog } from '../logging/rate-limited-log.js';
import type { Views } from './views.js';

/** How long a client is asked to wait after a 503 (a database lock, a failing store). */
const RETRY_AFTER_SECONDS = '5';

export function errorHandler(views: Views, log: ProcessLog) {
  // Each error code gets a few lines per interval; a flood of bad requests is counted, not logged
  // line by line (see RateLimitedLog).
  const limited = new RateLimitedLog();
  return (thrown: unknown, req: Request, res: Response, next: NextFunction): void => {
    const err = fromHttpError(thrown) ?? asIdpError(thrown);
    const line = `${req.method} ${req.originalUrl.split('?')[0]} failed: ${err.code}: ${err.message}`;
    if (err.status >= 500)
      limited.write(
        err.code,
        err.cause instanceof Error && err.code === 'INTERNAL'
          ? `${line}\n${err.cause.stack}`
          : line,
        (l) => log.error(l),
      );
    else limited.write(err.code, line, (l) => log.warn(l));
    if (res.headersSent) return next(err);
    res.set('Cache-Control', 'no-store');
    if (err.status === 503) res.set('Retry-After', RETRY_AFTER_SECONDS);
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(err.status).json({
        error: err.event,
        ...(err.status < 500 ? { error_description: err.message } : {}),
      });
      return;
    }
    views
      .renderError(res, err.event, err.status, err.status < 500 ? err.message : undefined)
      .catch((renderErr: unknown) => {
        log.error(`error page failed: ${String(renderErr)}`);
        if (!res.headersSent) res.status(500).type('text').send('Internal error');
      });
  };
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new IdpError('NOT_FOUND', `no such page: ${req.path}`));
}

const CODE_BY_STATUS: Record<number, IdpErrorCode> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'REQUEST_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Errors of express and its middleware that describe a bad request carry an HTTP status (the
 * http-errors convention): a body over its limit (413), an unknown charset or content encoding
 * (415), a body that does not inflate or parse, a path parameter that is not valid
 * percent-encoding (400). They are the client's mistake, never a 500.
 */
function fromHttpError(thrown: unknown): IdpError | undefined {
  if (thrown instanceof IdpError || typeof thrown !== 'object' || thrown === null) return undefined;
  const status =
    'status' in thrown ? thrown.status : 'statusCode' in thrown ? thrown.statusCode : undefined;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const message = thrown instanceof Error ? thrown.message : 'bad request';
  return new IdpError(CODE_BY_STATUS[status] ?? 'MESSAGE_MALFORMED', message, { cause: thrown });
}
