/**
 * Is the request still for someone who may have it? Asked when a posted form resumes a request
 * that already has a subject (the impersonate form), and again right before the respond step
 * releases anything, for every protocol — a form can stay open for idp.flow.timeout, and an
 * account can be disabled, locked or deleted, or a login can expire, in the meantime.
 *
 * - The IdP session must still hold the real user's login (the one this request was built on),
 *   and that login must still be within idp.session.maxLifetime. The request's own maximum
 *   authentication age (OIDC max_age) is about the login the request was answered with: it must
 *   have been that recent when the request arrived — a login made during the request always is.
 *   If not, the form is stale: the user starts again from the service (and signs in again).
 * - The real account, and when impersonating the effective one too, must still be active in the
 *   directory: else AccountDisabled (a local, audited error page; see conf/errors.yaml).
 */
import type { Request } from 'express';
import type { AccountState } from '../directory/user-directory.js';
import { quoted } from '../logging/process-log.js';
import { activeLogin } from '../session/idp-session.js';
import type { ProfileRequestContext } from '../core/request-context.js';
import type { ProfileServices } from './profile-services.js';

export type Recheck =
  { readonly ok: true } | { readonly event: 'AccountDisabled' } | { readonly stale: string };

const STATE_TEXT: Record<Exclude<AccountState, 'active'>, string> = {
  disabled: 'is disabled',
  locked: 'is locked',
  absent: 'no longer exists',
};

export async function recheckSubject(
  req: Request,
  prc: ProfileRequestContext,
  services: ProfileServices,
): Promise<Recheck> {
  const subject = prc.subject;
  if (!subject) return { ok: true };
  const real = subject.impersonation?.impersonator ?? subject.principalName;
  const what = subject.impersonation
    ? `Impersonation by principal ${quoted(real)} as ${quoted(subject.principalName)} to relying party ${quoted(prc.relyingPartyId)}`
    : `Request by principal ${quoted(real)} to relying party ${quoted(prc.relyingPartyId)}`;

  const login = activeLogin(req, services.props.session.maxLifetimeMs);
  const recentEnough = (instant: number) =>
    prc.maxAuthnAgeMs === undefined || prc.startTime - instant <= prc.maxAuthnAgeMs;
  if (
    !login ||
    login.principalName !== real ||
    login.authnInstant !== subject.authnInstant ||
    !recentEnough(login.authnInstant)
  ) {
    services.log.warn(
      `${what} refused: the IdP session no longer holds that login (ended, replaced, or too old for this request)`,
    );
    return {
      stale:
        'the sign-in this form belongs to has ended or is too old for this request; start again from the service',
    };
  }

  const accounts = subject.impersonation ? [real, subject.principalName] : [real];
  for (const account of accounts) {
    const state = await services.directory.accountState(account);
    if (state !== 'active') {
      services.log.warn(`${what} refused: account ${quoted(account)} ${STATE_TEXT[state]}`);
      return { event: 'AccountDisabled' };
    }
  }
  return { ok: true };
}
