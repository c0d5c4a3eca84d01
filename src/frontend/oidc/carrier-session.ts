/**
 * oidc-provider's session as a carrier of one authorization, so that parallel authorizations in
 * one browser (tabs) never interfere, whatever order they are answered and followed in.
 *
 * oidc-provider keeps one account per browser session and guards it three ways, each of which let
 * one tab break another here, where every tab may end with a different account (the real user in
 * one, an impersonated account in the next):
 *
 * - an interaction remembers the session (uid and account) it started in, and reading it fails
 *   ("session principal changed") once another tab's authorization put another account there;
 * - resuming fails ("interaction session and authentication session mismatch") once the session
 *   was ended and replaced;
 * - resuming with an account other than the session's shows the end-session confirmation form and
 *   ends the session — for every other tab too.
 *
 * Emptying the shared session before a tab resumes (the earlier design) only narrowed the window:
 * between the IdP's answer and the browser following it another tab could put its account back.
 * Instead, nothing an authorization needs is shared:
 *
 * 1. a new interaction is stored without the session it started in (the IdP session, bound to the
 *    interaction's pages through the flow executions, is the authority; the interaction itself is
 *    bound to the browser by oidc-provider's per-interaction cookies);
 * 2. a resume never reads the browser's session: its request reaches oidc-provider without the
 *    session cookie, so the authorization is issued on a fresh session holding exactly its
 *    effective account, which then becomes the browser's session. The replaced session's per-client
 *    grant references are carried over (a later prompt=none uses them, for the same account only)
 *    and it is deleted, so the table keeps one session per browser.
 *
 * No step depends on timing: two tabs resuming at the same instant each get their own session.
 * The IdP session (express-session) is never touched.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { OIDC_PATHS } from './oidc-paths.js';

const RESUME_PREFIX = `${OIDC_PATHS.authorization}/`;

export function carrierSessionMiddleware(provider: Provider) {
  const sessionCookie = provider.cookieName('session');
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    const replaced = isResume(ctx) ? detachSession(ctx, sessionCookie) : undefined;
    await next();
    await afterAnswer(provider, ctx, replaced);
  };
}

function isResume(ctx: KoaContextWithOIDC): boolean {
  return ctx.method === 'GET' && ctx.path.startsWith(RESUME_PREFIX);
}

/** Step 2: the resume reaches oidc-provider without the session cookie; the id of the session it named. */
function detachSession(ctx: KoaContextWithOIDC, sessionCookie: string): string | undefined {
  const replaced = ctx.cookies.get(sessionCookie, { signed: true }) || undefined;
  ctx.request.headers.cookie = withoutCookies(ctx.get('cookie'), sessionCookie);
  return replaced;
}

/** Once oidc-provider has answered: a new interaction forgets its session (step 1), a resume's fresh session replaces the browser's (step 2). */
async function afterAnswer(
  provider: Provider,
  ctx: KoaContextWithOIDC,
  replaced: string | undefined,
): Promise<void> {
  const { route, entities } = ctx.oidc ?? {};
  if (route === 'authorization' && entities?.Interaction?.session)
    await unbind(entities.Interaction);
  if (route === 'resume' && replaced && entities?.Session?.accountId)
    await replace(provider, replaced, entities.Session);
}

type Interaction = NonNullable<KoaContextWithOIDC['oidc']['entities']['Interaction']>;
type Session = NonNullable<KoaContextWithOIDC['oidc']['entities']['Session']>;

/** Stored before the browser is sent to the interaction: Koa answers after the middleware returns. */
async function unbind(interaction: Interaction): Promise<void> {
  interaction.session = undefined;
  await interaction.persist();
}

async function replace(provider: Provider, replacedId: string, fresh: Session): Promise<void> {
  const replaced = await provider.Session.find(replacedId);
  if (!replaced || replaced.jti === fresh.jti) return;
  const carried = { ...replaced.authorizations, ...fresh.authorizations };
  if (Object.keys(carried).length > 0) {
    fresh.authorizations = carried;
    await fresh.persist();
  }
  await replaced.destroy();
}

/** The Cookie header without the named cookie and its signature. */
function withoutCookies(header: string, name: string): string {
  return header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => {
      const cookieName = c.slice(0, Math.max(0, c.indexOf('=')));
      return c !== '' && cookieName !== name && cookieName !== `${name}.sig`;
    })
    .join('; ');
}
