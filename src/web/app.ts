/**
 * The IdP's express application: security headers, the IdP session, the protocol front-ends'
 * routes, and the error handler last.
 */
import path from 'node:path';
import express, { type Router } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { IdpProperties } from '../config/idp-properties.js';
import type { ProcessLog } from '../logging/process-log.js';
import { VIEWS_DIR } from '../paths.js';
import { contentSecurityPolicy } from './content-security-policy.js';
import { errorHandler, notFound } from './error-handler.js';
import type { Views } from './views.js';

export interface AppParts {
  readonly props: IdpProperties;
  readonly sessionStore: session.Store;
  readonly sessionSecret: string;
  readonly routers: readonly Router[];
  readonly views: Views;
  readonly log: ProcessLog;
}

export function createApp(parts: AppParts): express.Express {
  const { props } = parts;
  const app = express();
  app.disable('x-powered-by');
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');

  // helmet's headers, with its CSP replaced by ours (per-page nonce and form-action).
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(contentSecurityPolicy());
  app.use('/idp/css', express.static(path.join(VIEWS_DIR, 'static'), { index: false, maxAge: '1h' }));
  app.use(
    '/idp',
    session({
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
    }),
  );
  app.get(['/', '/idp'], (_req, res) => parts.views.render(res, 'index', { entityID: props.entityID }));
  for (const router of parts.routers) app.use(router);
  app.use(notFound);
  app.use(errorHandler(parts.views, parts.log));
  return app;
}
