/**
 * The four flows bench:sso measures, each as a browser drives it against a warm IdP session:
 *
 *   SAML plain          GET Redirect/SSO (fresh AuthnRequest) → the auto-post page with the Response
 *   SAML impersonated   GET Redirect/SSO → impersonate form → POST "Impersonate" → the post page
 *   OIDC plain          authorize → interaction → resume → redirect with code → token request
 *   OIDC impersonated   authorize → interaction (impersonate form) → POST → resume → code → token
 *
 * Each flow checks it got what it asked for (NameID or ID token sub), so a benchmark of errors
 * cannot pass for a fast one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { formAction, inputValue, type Answer, type HttpUser } from './http-user.js';

export interface FlowSettings {
  readonly baseURL: string;
  readonly spEntityID: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

export type Flow = (user: HttpUser, s: FlowSettings) => Promise<void>;

const SAML_SSO = '/idp/profile/SAML2/Redirect/SSO';
const OIDC_AUTHORIZE = '/idp/profile/oidc/authorize';
const OIDC_TOKEN = '/idp/profile/oidc/token';

function authnRequestURL(s: FlowSettings): string {
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="_${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${new Date().toISOString()}">` +
    `<saml:Issuer>${s.spEntityID}</saml:Issuer></samlp:AuthnRequest>`;
  const encoded = deflateRawSync(Buffer.from(xml)).toString('base64');
  return `${s.baseURL}${SAML_SSO}?SAMLRequest=${encodeURIComponent(encoded)}&RelayState=bench`;
}

function expect(condition: boolean, what: string, answer: Answer): asserts condition {
  if (!condition)
    throw new Error(`${what} (status ${answer.status}): ${answer.body.slice(0, 300)}`);
}

function nameIdOf(page: Answer): string | undefined {
  const response = inputValue(page.body, 'SAMLResponse');
  if (!response) return undefined;
  return /<saml:NameID[^>]*>([^<]*)<\/saml:NameID>/.exec(
    Buffer.from(response, 'base64').toString('utf8'),
  )?.[1];
}

async function impersonate(user: HttpUser, form: Answer, target: string): Promise<Answer> {
  const action = formAction(form.body);
  const csrf = inputValue(form.body, 'csrf_token');
  expect(action !== undefined && csrf !== undefined, 'an impersonate form', form);
  return user.postForm(action, {
    csrf_token: csrf,
    principal: target,
    _eventId_impersonate: 'Impersonate',
  });
}

export const samlPlain: Flow = async (user, s) => {
  const page = await user.get(authnRequestURL(s));
  expect(nameIdOf(page) === 'dave', 'a Response for dave', page);
};

export const samlImpersonated: Flow = async (user, s) => {
  const form = await user.get(authnRequestURL(s));
  const page = await impersonate(user, form, 'bob');
  expect(nameIdOf(page) === 'bob', 'a Response for bob', page);
};

interface Pkce {
  readonly verifier: string;
  readonly state: string;
}

function authorizationURL(s: FlowSettings): { url: string; pkce: Pkce } {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    client_id: s.clientId,
    response_type: 'code',
    scope: 'openid profile email',
    redirect_uri: s.redirectUri,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return { url: `${s.baseURL}${OIDC_AUTHORIZE}?${query.toString()}`, pkce: { verifier, state } };
}

/** The code in the redirect to the client, redeemed at the token endpoint; returns the ID token's sub. */
async function redeem(
  user: HttpUser,
  s: FlowSettings,
  landing: Answer,
  pkce: Pkce,
): Promise<string | undefined> {
  expect(landing.location?.startsWith(s.redirectUri) === true, 'a redirect to the client', landing);
  const callback = new URL(landing.location);
  expect(callback.searchParams.get('state') === pkce.state, 'the state back', landing);
  const token = await user.postForm(
    `${s.baseURL}${OIDC_TOKEN}`,
    {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: s.redirectUri,
      code_verifier: pkce.verifier,
    },
    {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(s.clientId)}:${encodeURIComponent(s.clientSecret)}`).toString('base64')}`,
      accept: 'application/json',
    },
  );
  expect(token.status === 200, 'a token response', token);
  const idToken = (JSON.parse(token.body) as { id_token?: string }).id_token ?? '';
  return (
    JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: string;
    }
  ).sub;
}

export const oidcPlain: Flow = async (user, s) => {
  const { url, pkce } = authorizationURL(s);
  const landing = await user.follow(await user.get(url));
  const sub = await redeem(user, s, landing, pkce);
  expect(sub === 'dave', 'an ID token for dave', landing);
};

export const oidcImpersonated: Flow = async (user, s) => {
  const { url, pkce } = authorizationURL(s);
  const form = await user.follow(await user.get(url));
  const landing = await user.follow(await impersonate(user, form, 'bob'));
  const sub = await redeem(user, s, landing, pkce);
  expect(sub === 'bob', 'an ID token for bob', landing);
};

/** Signs a virtual user in once (password form), so that every measured flow is SSO. */
export async function signIn(user: HttpUser, s: FlowSettings, account: string): Promise<void> {
  const login = await user.get(authnRequestURL(s));
  const action = formAction(login.body);
  const csrf = inputValue(login.body, 'csrf_token');
  expect(action !== undefined && csrf !== undefined, 'the login form', login);
  const after = await user.postForm(action, {
    csrf_token: csrf,
    j_username: account,
    j_password: `demo-${account}`,
    _eventId_proceed: 'Login',
  });
  expect(after.status === 200, `a signed-in page for ${account}`, after);
}
