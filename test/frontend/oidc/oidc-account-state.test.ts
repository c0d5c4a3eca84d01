/**
 * Tokens stop working when the account behind them stops being usable — at the endpoints that
 * use tokens (userinfo, introspection, refresh), not only in the browser pipeline: a locked
 * account's tokens, and an impersonation's tokens once the real user behind them is disabled.
 * An admin tool changes the account in the database file, as it would for a running IdP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableAccount, lockAccount } from '../../support/admin-db.js';
import { Browser } from '../../support/browser.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp } from '../../support/test-rp.js';

const OTHER_SECRET = 'another-client-secret-0123456789';
let t: TestIdp;
let rp: TestRp;
let other: TestRp;

beforeAll(async () => {
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': 'http://127.0.0.1:9' },
    conf: {
      'relying-party.yaml': (old) => `${old}
  - clientId: other-rp
    clientSecret: ${OTHER_SECRET}
    redirectUris: ["http://127.0.0.1:9/other/callback"]
    refreshTokens: true
`,
      'attribute-filter.yaml': (old) =>
        old.replace('"%{demo.oidc.clientId}"]', '"%{demo.oidc.clientId}", other-rp]'),
    },
  });
  rp = await TestRp.create(
    t.baseURL,
    'demo-rp',
    'demo-rp-secret-for-the-demo-only',
    'http://127.0.0.1:9/callback',
  );
  other = await TestRp.create(
    t.baseURL,
    'other-rp',
    OTHER_SECRET,
    'http://127.0.0.1:9/other/callback',
  );
});
afterAll(async () => t?.close());

/** Signs `user` in at `client` (impersonating `target` when given) and redeems the code. */
async function tokensFor(
  client: TestRp,
  user: string,
  target?: string,
  extra: Record<string, string> = {},
) {
  const b = new Browser();
  b.stopAt.push('http://127.0.0.1:9/');
  const pending = await client.authorize(extra);
  let page = await b.get(pending.url);
  page = await b.submit(page, { j_username: user, j_password: `demo-${user}` }, '_eventId_proceed');
  if (page.status === 200)
    page = await b.submit(
      page,
      target ? { principal: target } : {},
      target ? '_eventId_impersonate' : '_eventId_proceed',
    );
  return client.redeem(page.headers.get('location')!, pending);
}

describe('tokens of an account that is no longer usable', () => {
  it('a locked account: userinfo refused, introspection inactive, no refresh', async () => {
    const tokens = await tokensFor(other, 'carol', undefined, {
      scope: 'openid profile offline_access',
      prompt: 'consent',
    });
    expect(tokens.refresh_token).toBeTruthy();
    expect((await other.userinfo(tokens.access_token, 'carol')).sub).toBe('carol');

    lockAccount(t, 'carol');
    await expect(other.userinfo(tokens.access_token, 'carol')).rejects.toThrow();
    expect((await other.introspect(tokens.access_token)).active).toBe(false);
    await expect(other.refresh(tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('an impersonation: its tokens stop working once the real user is disabled', async () => {
    const tokens = await tokensFor(rp, 'alice', 'bob');
    expect(tokens.claims()!.sub).toBe('bob');
    expect((await rp.userinfo(tokens.access_token, 'bob')).sub).toBe('bob');

    disableAccount(t, 'alice');
    await expect(rp.userinfo(tokens.access_token, 'bob')).rejects.toThrow();
    expect((await rp.introspect(tokens.access_token)).active).toBe(false);
  });
});
