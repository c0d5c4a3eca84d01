/**
 * The IdP's express application: security headers, request guards, the IdP session, the protocol
 * front-ends' routes, and the error handler last.
 */
import path from 'node:path';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { IdpProperties } from '../config/idp-properties.js';
import type { ProcessLog } from '../logging/process-log.js';
import { VIEWS_DIR } from '../core/paths.js';
import { activeLogin } from '../session/idp-session.js';
import { contentSecurityPolicy } from './content-security-policy.js';
import { errorHandler, notFound } from './error-handler.js';
import { caseSensitivePaths, singleValuedQuery } from './request-guards.js';
import { transactionId } from './transaction.js';
import type { Views } from './views.js';

export interface AppParts {
  readonly props: IdpProperties;
  /** Run before anything else (the SAML admission gate): what they refuse costs almost nothing. */
  readonly frontGuards?: readonly RequestHandler[];
  readonly sessionStore: session.Store;
  readonly sessionSecret: string;
  readonly routers: readonly Router[];
  /** The paths the routers serve (prefixes are enough): matched case-sensitively, see request-guards.ts. */
  readonly paths: readonly string[];
  /**
   * Paths under /idp that never need the IdP session (metadata, public keys). The session
   * middleware does not run there, so they never touch the session store — they keep answering
   * while the database is locked — and never extend anybody's session.
   */
  readonly sessionlessPaths: readonly string[];
  readonly views: Views;
  readonly log: ProcessLog;
}

const INDEX_PATHS = ['/', '/idp'] as const;
const STATIC_PATH = '/idp/css';

export function createApp(parts: AppParts): express.Express {
  const { props } = parts;
  const app = express();
  // Before any route is added: the app's own router is created with this setting.
  app.set('case sensitive routing', true);
  app.disable('x-powered-by');
  // Only the balancers named in idp.trustedProxies may say who the client is (X-Forwarded-For).
  app.set('trust proxy', props.trustedProxies.length > 0 ? [...props.trustedProxies] : false);
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');

  app.use(transactionId());
  for (const guard of parts.frontGuards ?? []) app.use(guard);
  // helmet's headers, with its CSP replaced by ours (per-page nonce and form-action).
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(contentSecurityPolicy());
  app.use(caseSensitivePaths(['/idp', ...parts.paths]));
  app.use(singleValuedQuery());
  app.use(
    STATIC_PATH,
    express.static(path.join(VIEWS_DIR, 'static'), { index: false, maxAge: '1h' }),
  );
  const idpSession = session({
    name: props.session.cookieName,
    secret: parts.sessionSecret,
    store: parts.sessionStore,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      path: '/idp',
      httpOnly: true,
      sameSite: props.session.sameSite,
      secure: props.session.cookieSecure,
      maxAge: props.session.timeoutMs,
    },
  });
  const sessionless = new Set(
    [...INDEX_PATHS, ...parts.sessionlessPaths].map(withoutTrailingSlash),
  );
  app.use('/idp', (req: Request, res: Response, next: NextFunction) => {
    if (sessionless.has(withoutTrailingSlash(req.originalUrl.split('?')[0]!))) return next();
    return idpSession(req, res, next);
  });
  // Every page's header says who is signed in: asked when the page is drawn, so a page shown
  // right after a login (the impersonate form) already names the new login.
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.locals.signedInAs = () => activeLogin(req, props.session.maxLifetimeMs)?.principalName;
    next();
  });
  app.get([...INDEX_PATHS], (_req, res) =>
    parts.views.render(res, 'index', { entityID: props.entityID }),
  );
  for (const router of parts.routers) app.use(router);
  app.use(notFound);
  app.use(errorHandler(parts.views, parts.log));
  return app;
}

function withoutTrailingSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') || '/' : p;
}
