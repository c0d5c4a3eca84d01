/**
 * Step 1: who is it? Reuse the IdP session (SSO) when it is good and the relying party did not
 * force a fresh login; otherwise show the password form (fields j_username, j_password and the
 * _eventId_proceed button, as Shibboleth's login.vm). A successful login gets a new session id.
 * Failed logins are counted per account and client address (login-throttle.ts); a password no
 * account can have (password-rules.ts) is refused with its own message and counts as a failure.
 * Every login that gets this far is audited (login-audit.ts) before its answer.
 */
import { throttleAddress } from '../../authn/client-address.js';
import { IdpError } from '../../core/errors.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { AccountNameResult } from '../../directory/account-name.js';
import { passwordProblem } from '../../directory/password-rules.js';
import { quoted } from '../../logging/process-log.js';
import { activeLogin, startLoginSession } from '../../session/idp-session.js';
import type { LoginThrottle } from '../../authn/login-throttle.js';
import type { UserDirectory } from '../../directory/user-directory.js';
import type { ProcessLog } from '../../logging/process-log.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { recordLogin, type LoginOutcome } from './login-audit.js';
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
  readonly directory: Pick<UserDirectory, 'canonicalName' | 'authenticate' | 'accountState'>;
  readonly throttle: Pick<LoginThrottle, 'begin' | 'clear'>;
  readonly audit: Pick<AuditLog, 'record'>;
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
      if (!checked.ok || password === '')
        return refuseUnusableForm(services, input, checked, typed);
      const attempt: LoginAttempt = {
        username: checked.name,
        address: throttleAddress(input.exchange.req.ip),
        log,
      };
      const refused = await refusal(services, attempt, password).catch((err: unknown) =>
        recordOutage(services, input, attempt.username, err),
      );
      if (refused) {
        await recordLogin(services.audit, input, refused);
        return loginView(input, refused.messageKey, typed);
      }
      // The password was right, but forgiving the failures or starting the session can still fail.
      return logIn(services, input, attempt).catch((err: unknown) =>
        recordOutage(services, input, attempt.username, err),
      );
    },
  });
}

/**
 * The directory or the shared store failed while the login was checked: the attempt is on record
 * (when the audit log can take it) before the error goes on to the 503 page.
 */
async function recordOutage(
  services: AuthenticateServices,
  input: StepInput,
  user: string,
  err: unknown,
): Promise<never> {
  const event = err instanceof IdpError ? err.event : undefined;
  if (event === 'DirectoryFailure' || event === 'SharedStoreFailure')
    await recordLogin(services.audit, input, { user, event }).catch(() => undefined);
  throw err;
}

/** A form without a username or password, or with a name no account can have: audited, shown again. */
async function refuseUnusableForm(
  services: AuthenticateServices,
  input: StepInput,
  checked: AccountNameResult,
  typed: string,
): Promise<StepResult> {
  const missing = checked.ok || checked.problem === 'empty';
  await recordLogin(services.audit, input, {
    user: checked.ok ? checked.name : typed,
    event: missing ? 'NoCredentials' : 'InvalidCredentials',
    details: missing || checked.ok ? {} : { account: 'unknown', problem: checked.problem },
  });
  return loginView(input, missing ? 'login.error.missing' : 'login.error.failed', typed);
}

/** A login attempt for an account name that is well formed, from a client address. */
interface LoginAttempt {
  readonly username: string;
  readonly address: string;
  readonly log: ProcessLog;
}

/** A refused login: its audit record and the message key the form shows. */
interface Refusal extends LoginOutcome {
  readonly messageKey: string;
}

/**
 * Why the login fails (each logged), or undefined when the password is right. From
 * throttle.begin on the attempt counts as a failure, until the password proves right, so the
 * checks after it cannot be tried without counting.
 */
async function refusal(
  services: AuthenticateServices,
  { username, address, log }: LoginAttempt,
  password: string,
): Promise<Refusal | undefined> {
  const lockout = await services.throttle.begin(username, address);
  if (lockout) {
    const scope = lockout === 'address' ? 'from this address' : 'from all addresses together';
    log.warn(
      `Login by ${quoted(username)} refused: too many failed attempts ${scope} (client ${quoted(address)})`,
    );
    const messageKey = lockout === 'address' ? 'login.error.locked' : 'login.error.locked-account';
    return { user: username, event: 'AccountLocked', details: { lockout }, messageKey };
  }
  const problem = passwordProblem(password);
  if (problem) {
    log.warn(
      `Login by ${quoted(username)} failed: the password ${problem === 'too-long' ? 'is too long' : 'contains a control character'} (client ${quoted(address)})`,
    );
    const messageKey = `login.error.password-${problem}`;
    return {
      user: username,
      event: 'InvalidCredentials',
      details: { password: problem },
      messageKey,
    };
  }
  if (!(await services.directory.authenticate(username, password))) {
    log.warn(`Login by ${quoted(username)} failed (client ${quoted(address)})`);
    // Only the record tells a wrong password from an account that is missing or unusable.
    const state = await services.directory.accountState(username);
    const account = state === 'absent' ? 'unknown' : state === 'active' ? undefined : state;
    return {
      user: username,
      event: 'InvalidCredentials',
      details: { account },
      messageKey: 'login.error.failed',
    };
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
  // On disk before the IdP session starts: a login that cannot be audited signs nobody in.
  await recordLogin(services.audit, input, { user: username, login });
  await startLoginSession(input.exchange.req, login);
  log.info(`Login by ${quoted(username)} succeeded`);
  input.prc.subject = { ...login, sso: false };
  return NEXT;
}
