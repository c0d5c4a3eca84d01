/**
 * The demo OpenID Connect client started by `npm start`: an express app using openid-client (a
 * relying party library nobody here wrote) doing the authorization code flow with PKCE, then
 * showing the ID token's claims, the userinfo response and the access token's introspection. A
 * delegated identity (an `act` claim, RFC 8693 §4.1: the IdP's impersonation level delegate) gets
 * a banner naming both: "bob — acted by alice".
 */
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as oidc from 'openid-client';
import { VIEWS_DIR } from '../core/paths.js';

export interface DemoOidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly baseURL: string;
  readonly port: number;
  readonly listenAddress: string;
}

interface PendingLogin {
  readonly verifier: string;
  readonly state: string;
  readonly created: number;
}

const COOKIE = 'demo_rp_login';

export function createDemoOidcClientApp(options: DemoOidcClientOptions): express.Express {
  const client: DemoClient = {
    options,
    config: discovery(options),
    pending: new Map(),
    redirectUri: `${options.baseURL}/callback`,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.get('/', (_req, res) =>
    res.render('demo/rp-home', { clientId: options.clientId, issuer: options.issuer }),
  );
  app.get('/login', (req, res) => startLogin(client, req, res));
  app.get('/callback', (req, res) => finishLogin(client, req, res));
  return app;
}

interface DemoClient {
  readonly options: DemoOidcClientOptions;
  /** The issuer's metadata, discovered on first use (and again after a failure). */
  readonly config: () => Promise<oidc.Configuration>;
  /** Sign-ins in progress, by the key in the browser's cookie. */
  readonly pending: Map<string, PendingLogin>;
  readonly redirectUri: string;
}

function discovery(options: DemoOidcClientOptions): () => Promise<oidc.Configuration> {
  let configuration: Promise<oidc.Configuration> | undefined;
  return () =>
    (configuration ??= oidc
      .discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
        execute: options.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        configuration = undefined;
        throw err;
      }));
}

async function startLogin(
  { config, pending, redirectUri }: DemoClient,
  req: express.Request,
  res: express.Response,
): Promise<void> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const key = randomBytes(16).toString('base64url');
  const cutoff = Date.now() - 10 * 60_000;
  for (const [k, p] of pending) if (p.created < cutoff) pending.delete(k);
  pending.set(key, { verifier, state, created: Date.now() });
  const params: Record<string, string> = {
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  };
  if (req.query.prompt === 'none' || req.query.prompt === 'login') params.prompt = req.query.prompt;
  res.cookie(COOKIE, key, { httpOnly: true, sameSite: 'lax', path: '/' });
  res.redirect(oidc.buildAuthorizationUrl(await config(), params).href);
}

async function finishLogin(
  { options, config, pending }: DemoClient,
  req: express.Request,
  res: express.Response,
): Promise<void> {
  const key = /(?:^|;\s*)demo_rp_login=([^;]+)/.exec(req.get('cookie') ?? '')?.[1];
  const login = key ? pending.get(key) : undefined;
  if (key) pending.delete(key);
  try {
    if (!login) throw new Error('no sign-in in progress in this browser');
    const cfg = await config();
    const tokens = await oidc.authorizationCodeGrant(
      cfg,
      new URL(req.originalUrl, options.baseURL),
      {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
      },
    );
    const claims = tokens.claims()!;
    const userinfo = await oidc.fetchUserInfo(cfg, tokens.access_token, claims.sub);
    const introspection = await oidc.tokenIntrospection(cfg, tokens.access_token);
    res.render('demo/rp-result', {
      clientId: options.clientId,
      actor: actorOf(claims) ?? actorOf(userinfo),
      idToken: claims,
      userinfo,
      introspection,
      expiresIn: tokens.expires_in,
      refreshToken: tokens.refresh_token !== undefined,
    });
  } catch (err) {
    res
      .status(400)
      .render('demo/rp-error', { clientId: options.clientId, message: errorMessage(err) });
  }
}

/** The actor of a delegated identity: `act.sub` (and `act.reason`) of a claim set, when it has them. */
function actorOf(claims: Record<string, unknown>): { sub: string; reason?: string } | undefined {
  const act = claims.act as { sub?: unknown; reason?: unknown } | null | undefined;
  if (typeof act !== 'object' || act === null || typeof act.sub !== 'string') return undefined;
  return { sub: act.sub, reason: typeof act.reason === 'string' ? act.reason : undefined };
}

/**
 * An error answer from the IdP (login_required, interaction_required, access_denied …) is shown
 * with its code, the way a client would act on it.
 */
function errorMessage(err: unknown): string {
  return err instanceof oidc.AuthorizationResponseError
    ? `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`
    : (err as Error).message;
}

export async function startDemoOidcClient(
  options: DemoOidcClientOptions,
): Promise<{ server: Server; port: number }> {
  const server = createDemoOidcClientApp(options).listen(options.port, options.listenAddress);
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}
