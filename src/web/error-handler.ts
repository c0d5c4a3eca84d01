/**
 * The one error handler at the edge: whatever went wrong becomes an IdpError, is logged once, and
 * is shown as the error page of its event — or, to a caller that asks for JSON (the admin API),
 * as {error, error_description}. Details are shown for client errors (they help a tester fix a
 * request) and never for server errors.
 */
import type { NextFunction, Request, Response } from 'express';
import { asIdpError, IdpError } from '../errors.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { Views } from './views.js';

export function errorHandler(views: Views, log: ProcessLog) {
  return (thrown: unknown, req: Request, res: Response, next: NextFunction): void => {
    const err = asIdpError(isBodyParserError(thrown) ? new IdpError('MESSAGE_MALFORMED', (thrown as Error).message, { cause: thrown }) : thrown);
    const line = `${req.method} ${req.originalUrl.split('?')[0]} failed: ${err.code}: ${err.message}`;
    if (err.status >= 500) log.error(err.cause instanceof Error && err.code === 'INTERNAL' ? `${line}\n${err.cause.stack}` : line);
    else log.warn(line);
    if (res.headersSent) return next(err);
    res.set('Cache-Control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(err.status).json({ error: err.event, ...(err.status < 500 ? { error_description: err.message } : {}) });
      return;
    }
    views.renderError(res, err.event, err.status, err.status < 500 ? err.message : undefined).catch((renderErr: unknown) => {
      log.error(`error page failed: ${String(renderErr)}`);
      if (!res.headersSent) res.status(500).type('text').send('Internal error');
    });
  };
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new IdpError('NOT_FOUND', `no such page: ${req.path}`));
}

function isBodyParserError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'type' in e && typeof e.type === 'string' && 'status' in e;
}
