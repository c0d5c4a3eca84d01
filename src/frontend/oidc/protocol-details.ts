/**
 * Where oidc-provider's defaults would tell a client something untrue or unhelpful: discovery
 * advertising client authentication the IdP never configures, ID tokens without `sid`, PKCE
 * failures answered with a bare "grant request is invalid", and one event for every error page
 * it draws. Each is set right here, so openid-provider.ts stays the engine's configuration.
 */
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { IdpEvent } from '../../core/events.js';

/**
 * The only client authentication a client can be configured with (relying-party.yaml): a shared
 * secret, in the Authorization header (RFC 6749 §2.3.1) or the body. Either is accepted from any
 * client holding a secret, as oidc-provider does; discovery says so for every authenticated
 * endpoint, since an omitted introspection/revocation list would mean client_secret_basic only
 * (RFC 8414 §2).
 */
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/** The part of oidc-provider's configuration that states the client authentication above. */
export function clientAuthentication(): Pick<Configuration, 'clientAuthMethods' | 'discovery'> {
  return {
    clientAuthMethods: [...CLIENT_AUTH_METHODS],
    discovery: {
      introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    },
  };
}

/**
 * Every ID token names the session it was issued in (`sid`, OpenID Connect Front-/Back-Channel
 * Logout), as docs/oidc.md promises; oidc-provider adds it only for back-channel logout clients.
 * The session is oidc-provider's carrier session for the client (carrier-session.ts); a refresh
 * keeps the sid of the code it came from. Set on this provider's own Client class only.
 */
export function includeSidInIdTokens(provider: Provider): void {
  provider.Client.prototype.includeSid = () => true;
}

/** oidc-provider's own reasons for a failed PKCE check (helpers/pkce.js), as the client is told. */
const PKCE_FAILURES: Readonly<Record<string, string>> = {
  'code_verifier must be provided': 'code_verifier missing',
  'code_verifier does not match code_challenge': 'PKCE verification failed',
  'unsupported code_challenge_method': 'PKCE verification failed',
};

/**
 * A failed PKCE check at the token endpoint says why in its error_description; the error stays
 * invalid_grant (RFC 7636 §4.6). oidc-provider emits grant.error right after writing the JSON
 * answer, before it is sent.
 */
export function explainPkceFailures(provider: Provider): void {
  provider.on('grant.error', (ctx: KoaContextWithOIDC, err: Error) => {
    const reason = err.cause instanceof Error ? PKCE_FAILURES[err.cause.message] : undefined;
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (reason && body?.error === 'invalid_grant') body.error_description = reason;
  });
}

/**
 * The IdP's event for an error oidc-provider shows on a page (its renderError: the client or the
 * redirect URI cannot be trusted with the error): Shibboleth's EndpointResolutionFailed for a
 * redirect URI not registered, UnknownRelyingParty for an unknown client, UnableToDecode else.
 */
export function renderErrorEvent(error: string): IdpEvent {
  if (error === 'invalid_redirect_uri') return 'EndpointResolutionFailed';
  if (error === 'invalid_client') return 'UnknownRelyingParty';
  return 'UnableToDecode';
}

/**
 * response_mode=form_post (advertised by discovery): oidc-provider's auto-submitting page posts the
 * response to the client's redirect URI, which the IdP's CSP form-action ('self') would block in
 * the browser. Once the redirect URI is known to be the client's, its origin is added there, as on
 * the IdP's own response pages (content-security-policy.ts).
 */
export function formPostFormAction() {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const { route, params, client } = ctx.oidc ?? {};
    const uri = params?.redirect_uri;
    if (route !== 'authorization' && route !== 'resume') return;
    if (params?.response_mode !== 'form_post' || typeof uri !== 'string') return;
    if (!client?.redirectUriAllowed(uri)) return;
    const csp = ctx.response.get('content-security-policy');
    const origin = new URL(uri).origin;
    if (csp && origin !== 'null')
      ctx.set('content-security-policy', csp.replace(/form-action [^;]*/, `$& ${origin}`));
  };
}
