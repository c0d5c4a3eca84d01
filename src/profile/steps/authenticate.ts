/**
 * Step 1: who is it? Reuse the IdP session (SSO) when it is good and the relying party did not
 * force a fresh login; otherwise show the password form (fields j_username, j_password and the
 * _eventId_proceed button, as Shibboleth's login.vm). A successful login gets a new session id.
 * Failed logins are counted per account and client address (login-throttle.ts); a password no
 * account can have (password-rules.ts) is refused with its own message and counts as a failure.
 */
import { throttleAddress } from '../../authn/client-address.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import { passwordProblem } from '../../directory/password-rules.js';
import { quoted } from '../../logging/process-log.js';
import { activeLogin, startLoginSession } from '../../session/idp-session.js';
import type { LoginThrottle } from '../../authn/login-throttle.js';
import type { UserDirectory } from '../../directory/user-directory.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { anyStage, atStage, NEXT, type ProfileStepHandler, type StepInput, type StepResult } from './profile-step.js';

export interface AuthenticateServices {
  readonly props: IdpProperties;
  readonly directory: Pick<UserDirectory, 'canonicalName' | 'authenticate'>;
  readonly throttle: Pick<LoginThrottle, 'begin' | 'clear'>;
  readonly log: ProcessLog;
}

export function authnMethod(props: IdpProperties): string {
  return props.baseURL.startsWith('https:')
    ? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
    : 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password';
}

function loginView(input: StepInput, error?: string, username?: string): StepResult {
  return {
    view: 'login',
    model: { relyingParty: { id: input.rp.id, displayName: input.rp.displayName }, error, username },
  };
}

export function authenticateStep(services: AuthenticateServices): ProfileStepHandler {
  return atStage(anyStage, {
  step: 'authenticate',

  run(input) {
    const { exchange, prc } = input;
    const login = activeLogin(exchange.req, Math.min(services.props.session.maxLifetimeMs, prc.maxAuthnAgeMs ?? Infinity));
    if (login && !prc.forceAuthn) {
      prc.subject = { ...login, sso: true };
      return Promise.resolve(NEXT);
    }
    if (prc.passive) return Promise.resolve({ event: 'NoPassive' });
    return Promise.resolve(loginView(input));
  },

  async resume(input, event, form) {
    const { exchange, prc } = input;
    if (event !== 'proceed') return { event: 'InvalidEvent' };
    const typed = form.j_username ?? '';
    const password = form.j_password ?? '';
    const log = services.log.child('net.shibboleth.idp.authn');
    const checked = services.directory.canonicalName(typed);
    if (!checked.ok || password === '') {
      return loginView(input, checked.ok || checked.problem === 'empty' ? 'login.error.missing' : 'login.error.failed', typed);
    }
    const username = checked.name;
    const address = throttleAddress(exchange.req.ip);
    // From here on the attempt counts as a failure, until the password proves right.
    const lockout = await services.throttle.begin(username, address);
    if (lockout) {
      const scope = lockout === 'address' ? 'from this address' : 'from all addresses together';
      log.warn(`Login by ${quoted(username)} refused: too many failed attempts ${scope} (client ${quoted(address)})`);
      return loginView(input, lockout === 'address' ? 'login.error.locked' : 'login.error.locked-account', typed);
    }
    const problem = passwordProblem(password);
    if (problem) {
      log.warn(`Login by ${quoted(username)} failed: the password ${problem === 'too-long' ? 'is too long' : 'contains a control character'} (client ${quoted(address)})`);
      return loginView(input, `login.error.password-${problem}`, typed);
    }
    if (!(await services.directory.authenticate(username, password))) {
      log.warn(`Login by ${quoted(username)} failed (client ${quoted(address)})`);
      return loginView(input, 'login.error.failed', typed);
    }
    await services.throttle.clear(username, address);
    const login = { principalName: username, authnInstant: Date.now(), authnMethod: authnMethod(services.props) };
    await startLoginSession(exchange.req, login);
    log.info(`Login by ${quoted(username)} succeeded`);
    prc.subject = { ...login, sso: false };
    return NEXT;
  },
});
}
