/**
 * What an error page says besides its event's text (issue 10, "No dead ends"): at which service,
 * what was refused and why, and the way back. The signed-in account comes from the page's
 * `signedInAs` (views.ts), as on every page.
 *
 * A relying party's "home" is derived, not configured: the origin of a SAML SP's
 * AssertionConsumerService URL, or of an OpenID Connect client's first redirect_uri — where its
 * sign-in starts on every service this IdP was built for. Going there starts a new request: the
 * IdP cannot resume a flow that ended with an error page, so "Try again" and "Continue normally"
 * both mean signing in at the service again (the impersonate form is offered again).
 */
import type { IdpEvent } from '../core/events.js';
import type { RelyingParty } from '../relying-party/relying-party.js';
import { impersonationMode } from '../relying-party/rp-impersonation.js';

/** What the request that failed is known to be about. */
export interface ErrorPageContext {
  /** The relying party the request came from. */
  readonly relyingParty?: RelyingParty;
  /** For an impersonation refusal: the account asked for (%utc), or as typed (%ut). */
  readonly requestedAccount?: string;
}

/** The locals of views/error.ejs besides event, title, message and detail. */
export interface ErrorPageModel {
  readonly service?: { readonly name: string; readonly id: string; readonly home?: string };
  readonly refused?: { readonly account: string; readonly whyKey: string };
  /** Whether starting again at the service may succeed (the link "Try again"). */
  readonly tryAgain: boolean;
  /** Whether the refusal was at the impersonate form (the form is offered again next time). */
  readonly impersonation: boolean;
  /** The note on starting again: with "Continue normally", or without where the RP requires impersonation. */
  readonly restartKey?: string;
}

const IMPERSONATION_REFUSALS: ReadonlySet<IdpEvent> = new Set([
  'ImpersonationViolation',
  'UnknownImpersonationTarget',
  'ProtectedImpersonationTarget',
]);

/** Events after which a new sign-in at the service may well succeed. */
const RETRYABLE: ReadonlySet<IdpEvent> = new Set([
  ...IMPERSONATION_REFUSALS,
  'InvalidCSRFToken',
  'InvalidEvent',
  'StaleRequest',
  'MessageExpired',
  'RestartAuthentication',
  'SessionStoreFailure',
  'StorageBusy',
  'SharedStoreFailure',
  'DirectoryFailure',
  'AuditLogFailure',
]);

/** The origin of an http(s) URL; undefined for anything else (never a javascript: link). */
function httpOrigin(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:'
      ? `${parsed.origin}/`
      : undefined;
  } catch {
    return undefined;
  }
}

/** Where a relying party's users start: the origin of its ACS URL or first redirect_uri. */
function serviceHome(rp: RelyingParty): string | undefined {
  return httpOrigin(rp.kind === 'saml' ? rp.assertionConsumerServiceURL : rp.redirectUris[0]);
}

export function errorPageModel(event: IdpEvent, context: ErrorPageContext = {}): ErrorPageModel {
  const rp = context.relyingParty;
  const impersonation = IMPERSONATION_REFUSALS.has(event);
  return {
    service: rp && { name: rp.displayName, id: rp.id, home: serviceHome(rp) },
    refused:
      impersonation && context.requestedAccount
        ? { account: context.requestedAccount, whyKey: `idp.error.why.${event}` }
        : undefined,
    tryAgain: rp !== undefined && RETRYABLE.has(event),
    impersonation,
    restartKey: !impersonation
      ? undefined
      : rp && impersonationMode(rp.impersonation) === 'required'
        ? 'idp.error.restart.required'
        : 'idp.error.restart',
  };
}
