/**
 * What an authorization leaves in the database, and for how long: nothing of a plain authorization
 * of a client without refresh tokens outlives its tokens (by more than the code lifetime, within
 * which the grant must exist before its tokens do); an impersonation's rows go with its short-lived
 * tokens; a grant that can refresh lives as long as refreshing; and a grant reused by a silent
 * authorization is kept as long as the tokens issued then.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_LIFETIME_S } from '../../../src/frontend/oidc/grant-retention.js';
import type { Browser } from '../../support/browser.js';
import { rpBrowser, signInAndRedeem, startIdpWithTwoClients } from '../../support/oidc-clients.js';
import type { TestIdp } from '../../support/test-idp.js';
import type { TestRp } from '../../support/test-rp.js';

let t: TestIdp;
let rp: TestRp;
let other: TestRp;

beforeAll(async () => ({ t, rp, other } = await startIdpWithTwoClients()));
afterAll(async () => t?.close());

const browser = rpBrowser;

/** Signs `user` in at `client`, impersonating `target` when given; the tokens and when they expire. */
async function authorize(
  b: Browser,
  client: TestRp,
  user: string,
  target?: string,
  extra: Record<string, string> = {},
) {
  const tokens = await signInAndRedeem(b, client, user, target, extra);
  const expiries = [tokens.claims()!.exp * 1000, Date.now() + tokens.expires_in! * 1000];
  return { tokens, tokensExpireBy: Math.max(...expiries) };
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(t.idp.config.properties.storagePath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** The grant of the newest authorization record, and every row kept for it. */
function newestGrant() {
  const [record] = query<{ grant_id: string; expires_at: number }>(
    "SELECT grant_id, expires_at FROM oidc_authorizations ORDER BY json_extract(record, '$.startTime') DESC LIMIT 1",
  );
  const rows = query<{ model: string; expires_at: number | null }>(
    "SELECT model, expires_at FROM oidc_models WHERE grant_id = ? OR (model = 'Grant' AND id = ?)",
    record!.grant_id,
    record!.grant_id,
  );
  return { record: record!, rows, grant: rows.find((r) => r.model === 'Grant')! };
}

describe('retention of OIDC authorizations', () => {
  it('keeps nothing of a plain authorization (no refresh tokens) beyond its tokens', async () => {
    const { tokensExpireBy } = await authorize(browser(), rp, 'dave');
    const { record, rows } = newestGrant();
    const deadline = tokensExpireBy + CODE_LIFETIME_S * 1000 + 1000;
    expect(rows.map((r) => r.model).sort()).toEqual(['AccessToken', 'AuthorizationCode', 'Grant']);
    for (const row of rows) expect(row.expires_at, row.model).toBeLessThanOrEqual(deadline);
    expect(record.expires_at).toBeLessThanOrEqual(deadline);
  });

  it('keeps an impersonation only as long as its short-lived tokens', async () => {
    const { tokens, tokensExpireBy } = await authorize(browser(), rp, 'alice', 'bob');
    expect(tokens.expires_in).toBeLessThanOrEqual(600);
    const { record, rows } = newestGrant();
    const deadline = tokensExpireBy + CODE_LIFETIME_S * 1000 + 1000;
    for (const row of rows) expect(row.expires_at, row.model).toBeLessThanOrEqual(deadline);
    expect(record.expires_at).toBeLessThanOrEqual(deadline);
  });

  it('keeps a grant that can refresh as long as refreshing, and its tokens after that', async () => {
    const { tokens } = await authorize(browser(), other, 'dave', undefined, {
      scope: 'openid profile offline_access',
      prompt: 'consent',
    });
    expect(tokens.refresh_token).toBeDefined();
    const { record, grant } = newestGrant();
    const fourteenDays = 14 * 24 * 3600_000;
    expect(grant.expires_at).toBeGreaterThanOrEqual(Date.now() + fourteenDays);
    // Both are computed from the same lifetime, a moment apart (the grant first).
    expect(Math.abs(record.expires_at - grant.expires_at!)).toBeLessThanOrEqual(1000);
  });

  it('keeps a grant reused by a silent authorization as long as the tokens issued then', async () => {
    const b = browser();
    await authorize(b, rp, 'dave');
    const before = newestGrant();
    await new Promise((r) => setTimeout(r, 1500));
    const silent = await rp.authorize({ prompt: 'none' });
    const tokens = await rp.redeem((await b.get(silent.url)).headers.get('location')!, silent);
    expect(tokens.claims()!.sub).toBe('dave');
    const after = newestGrant();
    expect(after.record.grant_id).toBe(before.record.grant_id); // the same grant, reused
    expect(after.grant.expires_at!).toBeGreaterThanOrEqual(before.grant.expires_at! + 1000);
    expect(after.grant.expires_at!).toBeGreaterThanOrEqual(tokens.claims()!.exp * 1000);
    expect(after.record.expires_at).toBeGreaterThanOrEqual(before.record.expires_at + 1000);
  });
});
