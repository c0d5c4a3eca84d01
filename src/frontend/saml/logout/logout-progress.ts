/**
 * A single logout under way, kept in the browser's session once the IdP session has ended (the
 * login is gone; this is all the new session holds): who is being logged out, the session
 * participants still to be told, the one the IdP waits for an answer from, whether any could not be
 * told, and how the logout ends — a LogoutResponse to the SP that asked, the redirect an OIDC
 * client asked for, or the IdP's own page.
 */
import type { Request, Response } from 'express';
import type { IdpProperties } from '../../../config/idp-properties.js';
import { samlParticipants, type SamlParticipant } from '../../../session/session-participants.js';
import { endIdpSession } from '../../../web/end-idp-session.js';
import { SLO_PATHS } from '../saml-bindings.js';

export type LogoutFinish =
  | {
      readonly kind: 'saml';
      readonly entityID: string;
      readonly inResponseTo: string;
      readonly relayState: string | null;
      /** The binding the LogoutRequest came by: the response goes back by it when the SP can take it. */
      readonly binding: string;
    }
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'page' };

export interface LogoutProgress {
  /** The real user whose IdP session ended. */
  readonly user: string;
  readonly pending: SamlParticipant[];
  /** The participant a LogoutRequest went to, and its ID: the LogoutResponse must answer it. */
  current?: { readonly participant: SamlParticipant; readonly requestId: string };
  /** Some participant could not be told, or did not answer Success. */
  partial: boolean;
  readonly finish: LogoutFinish;
}

/** Where a logout that ended the session elsewhere (OIDC) hands the browser to propagation. */
export const LOGOUT_CONTINUE_PATH = `${SLO_PATHS.redirect}?continue`;

declare module 'express-session' {
  interface SessionData {
    logout?: LogoutProgress;
  }
}

/**
 * The participants to tell: each SP but the one that asked, once per NameID (the newest entry),
 * oldest first.
 */
function participantsToTell(
  participants: readonly SamlParticipant[],
  except: string | undefined,
): SamlParticipant[] {
  const newest = new Map<string, SamlParticipant>();
  for (const p of participants) {
    if (p.entityID === except) continue;
    const key = JSON.stringify([p.entityID, p.nameId.value]);
    newest.delete(key);
    newest.set(key, p);
  }
  return [...newest.values()];
}

/**
 * Ends the IdP session for a logout. With participants to tell (or a LogoutResponse to send), the
 * progress is carried into a fresh session and true is returned: LogoutPropagation.step goes on.
 * Otherwise the session is simply destroyed.
 */
export async function endSessionForLogout(
  req: Request,
  res: Response,
  props: IdpProperties,
  logout: { readonly user: string; readonly finish: LogoutFinish; readonly except?: string },
): Promise<boolean> {
  const pending = participantsToTell(samlParticipants(req), logout.except);
  if (pending.length === 0 && logout.finish.kind !== 'saml') {
    await endIdpSession(req, res, props);
    return false;
  }
  const progress = { user: logout.user, pending, partial: false, finish: logout.finish };
  await endIdpSession(req, res, props, { logout: progress });
  return true;
}

/** The "Who am I" sign-out: the session ends and its SAML participants are told, then the IdP's page. */
export function signOutTellingParticipants(props: IdpProperties) {
  return async (req: Request, res: Response, user: string): Promise<string | undefined> =>
    (await endSessionForLogout(req, res, props, { user, finish: { kind: 'page' } }))
      ? `${props.baseURL}${LOGOUT_CONTINUE_PATH}`
      : undefined;
}
