/**
 * The OpenID Connect relying party of the integration tests: openid-client (by oidc-provider's
 * author, but a separate, spec-driven client) against the running IdP, over HTTP.
 */
import * as oidc from 'openid-client';

export interface PendingAuthorization {
  readonly url: string;
  readonly verifier: string;
  readonly state: string;
}

export class TestRp {
  private constructor(
    readonly config: oidc.Configuration,
    readonly redirectUri: string,
  ) {}

  static async create(
    issuer: string,
    clientId: string,
    secret: string,
    redirectUri: string,
    /** How it authenticates at the token endpoint (openid-client's default: client_secret_post). */
    auth?: oidc.ClientAuth,
  ): Promise<TestRp> {
    const config = await oidc.discovery(new URL(issuer), clientId, secret, auth, {
      execute: [oidc.allowInsecureRequests],
    });
    return new TestRp(config, redirectUri);
  }

  async authorize(extra: Record<string, string> = {}): Promise<PendingAuthorization> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(this.config, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    return { url: url.href, verifier, state };
  }

  /** Redeems the code in the URL the IdP redirected the browser to. */
  redeem(callback: string, pending: PendingAuthorization) {
    return oidc.authorizationCodeGrant(this.config, new URL(callback), {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
    });
  }

  userinfo(accessToken: string, sub: string) {
    return oidc.fetchUserInfo(this.config, accessToken, sub);
  }

  introspect(token: string) {
    return oidc.tokenIntrospection(this.config, token);
  }

  refresh(refreshToken: string) {
    return oidc.refreshTokenGrant(this.config, refreshToken);
  }

  revoke(token: string) {
    return oidc.tokenRevocation(this.config, token);
  }
}

/** The query of the URL the IdP sent the browser back to (code, state, error …). */
export function callbackParams(url: string): URLSearchParams {
  return new URL(url).searchParams;
}
