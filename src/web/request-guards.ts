/**
 * Checks every request passes before any route sees it, so that malformed input gets a clear 4xx
 * page instead of surprising a handler.
 */
import type { NextFunction, Request, Response } from 'express';
import { IdpError } from '../core/errors.js';

/**
 * The IdP's paths are case-sensitive, as Shibboleth's (servlet paths) and cookie paths are. The
 * app routes case-sensitively, but a router built elsewhere with express.Router() matches
 * case-insensitively while the session middleware (cookie path /idp) does not; a spelling such as
 * /IDP/profile/… would reach a handler without a session. Any path that equals one of `paths`, or
 * lies below it, only when case is ignored is therefore a 404 here, before any router.
 */
export function caseSensitivePaths(paths: readonly string[]) {
  const known = paths
    .map((p) => p.replace(/\/+$/, ''))
    .map((p) => ({ exact: p, lower: p.toLowerCase() }));
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const path = req.path;
    const lower = path.toLowerCase();
    if (known.some((k) => under(lower, k.lower) && !under(path, k.exact))) {
      return next(
        new IdpError('NOT_FOUND', `no such page: ${path} (addresses are case-sensitive)`),
      );
    }
    next();
  };
}

/** Protocol parameters that have exactly one value: given twice, which one counts is ambiguous. */
const SINGLE_VALUED_PARAMETERS = [
  'execution',
  'SAMLRequest',
  'SAMLResponse',
  'RelayState',
  'SigAlg',
  'Signature',
] as const;

export function singleValuedQuery(names: readonly string[] = SINGLE_VALUED_PARAMETERS) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const query = req.query as Record<string, unknown>;
    const repeated = names.find((name) => Array.isArray(query[name]));
    if (repeated)
      return next(
        new IdpError('MESSAGE_MALFORMED', `the parameter ${repeated} is given more than once`),
      );
    next();
  };
}
