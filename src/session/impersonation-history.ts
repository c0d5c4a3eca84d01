/**
 * This IdP session's recent impersonations, for the tester's "Who am I" page: one entry per
 * impersonated response released (a SAML assertion, an OIDC authorization), newest first, at most
 * MAX_RECENT_IMPERSONATIONS. The release path adds the entry only once its audit record is written,
 * so the page never shows what the audit log does not hold. The entries live and end with the
 * session (a new login starts an empty list).
 */
import type { Request } from 'express';

const MAX_RECENT_IMPERSONATIONS = 20;

/** The levels that release something (an identify preview releases nothing, so is never noted). */
type ImpersonationLevel = 'impersonate' | 'delegate';

export interface RecentImpersonation {
  readonly target: string;
  readonly relyingParty: string;
  readonly level: ImpersonationLevel;
  /** When it was released (ms since the epoch). */
  readonly at: number;
}

declare module 'express-session' {
  interface SessionData {
    impersonations?: RecentImpersonation[];
  }
}

/** Notes a released impersonation in the browser's IdP session (none when nobody is signed in). */
export function noteImpersonation(req: Request, entry: RecentImpersonation): void {
  const session = req.session;
  if (!session?.idp) return;
  session.impersonations = [entry, ...(session.impersonations ?? [])].slice(
    0,
    MAX_RECENT_IMPERSONATIONS,
  );
}

/** The session's impersonations, newest first. */
export function recentImpersonations(req: Request): readonly RecentImpersonation[] {
  return (req.session?.impersonations ?? []).slice(0, MAX_RECENT_IMPERSONATIONS);
}
