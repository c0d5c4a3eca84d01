/**
 * The OpenID Connect clients the OIDC suites talk to the test IdP with: the shipped demo client,
 * and a second confidential client allowed refresh tokens. Their redirect URIs point at a port
 * nothing listens on; the browser stops there and the test redeems the code itself.
 */
import { Browser } from './browser.js';
import { startTestIdp, type TestIdp } from './test-idp.js';
import { TestRp } from './test-rp.js';

const STOP = 'http://127.0.0.1:9';
const OTHER_SECRET = 'another-client-secret-0123456789';

/** The demo client of the shipped conf (demo.oidc.* with the base URL above). */
export function demoRp(t: TestIdp): Promise<TestRp> {
  return TestRp.create(
    t.baseURL,
    'demo-rp',
    'demo-rp-secret-for-the-demo-only',
    `${STOP}/callback`,
  );
}

/** A test IdP whose demo client redirects to the stop address. */
export function startOidcTestIdp(): Promise<TestIdp> {
  return startTestIdp({ properties: { 'demo.oidc.baseURL': STOP } });
}

/**
 * A test IdP with the demo client and `other-rp`, which may have refresh tokens and receives what
 * the demo client receives.
 */
export async function startIdpWithTwoClients(): Promise<{ t: TestIdp; rp: TestRp; other: TestRp }> {
  const t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': STOP },
    conf: {
      'relying-party.yaml': (old) => `${old}
  - clientId: other-rp
    clientSecret: ${OTHER_SECRET}
    redirectUris: ["${STOP}/other/callback"]
    refreshTokens: true
`,
      'attribute-filter.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', '"%{demo.oidc.clientId}", other-rp]'),
    },
  });
  const other = await TestRp.create(t.baseURL, 'other-rp', OTHER_SECRET, `${STOP}/other/callback`);
  return { t, rp: await demoRp(t), other };
}

/** A browser that stops at the clients' redirect URIs. */
export function rpBrowser(): Browser {
  const b = new Browser();
  b.stopAt.push(`${STOP}/`);
  return b;
}

/**
 * Signs `user` in at `client` (the password only when the IdP asks for it), impersonating
 * `target` when given, otherwise continuing normally past the impersonate form; redeems the code.
 */
export async function signInAndRedeem(
  b: Browser,
  client: TestRp,
  user: string,
  target?: string,
  extra: Record<string, string> = {},
) {
  const pending = await client.authorize(extra);
  let page = await b.get(pending.url);
  if (page.html.querySelector('input[name=j_password]')) {
    page = await b.submit(
      page,
      { j_username: user, j_password: `demo-${user}` },
      '_eventId_proceed',
    );
  }
  if (page.status === 200)
    page = await b.submit(
      page,
      target ? { principal: target } : {},
      target ? '_eventId_impersonate' : '_eventId_proceed',
    );
  return client.redeem(page.headers.get('location')!, pending);
}
