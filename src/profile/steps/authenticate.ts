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
import {
  anyStage,
  atStage,
  NEXT,
  type ProfileStepHandler,
  type StepInput,
  type StepResult,
} from './profile-step.js';

export interface AuthenticateServices {
  readonly props: IdpProperties;
  readonly directory: Pick<UserDirectory, 'canonicalName' | 'authenticate'>;
  readonly throttle: Pick<LoginThrottle, 'begin' | 'clear'>;
  readonly log: ProcessLog;
}

function authnMethod(props: IdpProperties): string {
  return props.baseURL.startsWith('https:')
    ? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
    : 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password';
}

function loginView(input: StepInput, error?: string, username?: string): StepResult {
  return {
    view: 'login',
    model: {
      relyingParty: { id: input.rp.id, displayName: input.rp.displayName },
      error,
      username,
    },
  };
}

export function authenticateStep(services: AuthenticateServices): ProfileStepHandler {
  return atStage(anyStage, {
    step: 'authenticate',

    run(input) {
      const { exchange, prc } = input;
      const login = activeLogin(
        exchange.req,
        Math.min(services.props.session.maxLifetimeMs, prc.maxAuthnAgeMs ?? Infinity),
      );
      if (login && !prc.forceAuthn) {
        prc.subject = { ...login, sso: true };
        return Promise.resolve(NEXT);
      }
      if (prc.passive) return Promise.resolve({ event: 'NoPassive' });
      return Promise.resolve(loginView(input));
    },

    async resume(input, event, form) {
      if (event !== 'proceed') return { event: 'InvalidEvent' };
      const typed = form.j_username ?? '';
      const password = form.j_password ?? '';
      const log = services.log.child('net.shibboleth.idp.authn');
      const checked = services.directory.canonicalName(typed);
      if (!checked.ok || password === '') {
        return loginView(
          input,
          checked.ok || checked.problem === 'empty' ? 'login.error.missing' : 'login.error.failed',
          typed,
        );
      }
      const attempt: LoginAttempt = {
        username: checked.name,
        address: throttleAddress(input.exchange.req.ip),
        log,
      };
      const refused = await refusal(services, attempt, password);
      if (refused) return loginView(input, refused, typed);
      return logIn(services, input, attempt);
    },
  });
}

/** A login attempt for an account name that is well formed, from a client address. */
interface LoginAttempt {
  readonly username: string;
  readonly address: string;
  readonly log: ProcessLog;
}

/**
 * Why the login fails, as the message key the form shows (each logged), or undefined when the
 * password is right. From throttle.begin on the attempt counts as a failure, until the password
 * proves right, so the checks after it cannot be tried without counting.
 */
async function refusal(
  services: AuthenticateServices,
  { username, address, log }: LoginAttempt,
  password: string,
): Promise<string | undefined> {
  const lockout = await services.throttle.begin(username, address);
  if (lockout) {
    const scope = lockout === 'address' ? 'from this address' : 'from all addresses together';
    log.warn(
      `Login by ${quoted(username)} refused: too many failed attempts ${scope} (client ${quoted(address)})`,
    );
    return lockout === 'address' ? 'login.error.locked' : 'login.error.locked-account';
  }
  const problem = passwordProblem(password);
  if (problem) {
    log.warn(
      `Login by ${quoted(username)} failed: the password ${problem === 'too-long' ? 'is too long' : 'contains a control character'} (client ${quoted(address)})`,
    );
    return `login.error.password-${problem}`;
  }
  if (!(await services.directory.authenticate(username, password))) {
    log.warn(`Login by ${quoted(username)} failed (client ${quoted(address)})`);
    return 'login.error.failed';
  }
  return undefined;
}

/** The password was right: the failures are forgiven and the IdP session starts (with a new id). */
async function logIn(
  services: AuthenticateServices,
  input: StepInput,
  { username, address, log }: LoginAttempt,
): Promise<StepResult> {
  await services.throttle.clear(username, address);
  const login = {
    principalName: username,
    authnInstant: Date.now(),
    authnMethod: authnMethod(services.props),
  };
  await startLoginSession(input.exchange.req, login);
  log.info(`Login by ${quoted(username)} succeeded`);
  input.prc.subject = { ...login, sso: false };
  return NEXT;
}
