/**
 * Tokens stop working when the account behind them stops being usable — at the endpoints that
 * use tokens (userinfo, introspection, refresh), not only in the browser pipeline: a locked
 * account's tokens, and an impersonation's tokens once the real user behind them is disabled.
 * An admin tool changes the account in the database file, as it would for a running IdP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableAccount, lockAccount } from '../../support/admin-db.js';
import { rpBrowser, signInAndRedeem, startIdpWithTwoClients } from '../../support/oidc-clients.js';
import type { TestIdp } from '../../support/test-idp.js';
import type { TestRp } from '../../support/test-rp.js';

let t: TestIdp;
let rp: TestRp;
let other: TestRp;

beforeAll(async () => ({ t, rp, other } = await startIdpWithTwoClients()));
afterAll(async () => t?.close());

/** Signs `user` in at `client` (impersonating `target` when given) and redeems the code. */
function tokensFor(
  client: TestRp,
  user: string,
  target?: string,
  extra: Record<string, string> = {},
) {
  return signInAndRedeem(rpBrowser(), client, user, target, extra);
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
