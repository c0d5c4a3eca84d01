/**
 * Audit coverage over OpenID Connect, through real flows (issue 9, item 1): the authorization and
 * token records (act=release, P=OIDC/SSO and OIDC/Token) joinable through %det, and silent
 * (prompt=none) refusals (act=refuse, the IdP event in %e, the OAuth error in %det).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpBrowser, signInAndRedeem, startIdpWithTwoClients } from '../support/oidc-clients.js';
import { auditRecord, type TestIdp } from '../support/test-idp.js';
import { callbackParams, type TestRp } from '../support/test-rp.js';

let t: TestIdp;
let rp: TestRp;
let other: TestRp;

beforeAll(async () => {
  ({ t, rp, other } = await startIdpWithTwoClients());
});
afterAll(async () => t?.close());

const audits = () => t.auditRecords().map(auditRecord);
const since = (n: number) => audits().slice(n);

describe('OIDC release records', () => {
  it('ties each token record to its authorization record', async () => {
    const n = audits().length;
    await signInAndRedeem(rpBrowser(), rp, 'alice', 'bob');
    const released = since(n).filter((r) => r.act === 'release');
    const [authorization, token] = released;
    expect(authorization).toMatchObject({ P: 'OIDC/SSO', u: 'bob', uu: 'alice', ut: 'bob' });
    expect(token).toMatchObject({ P: 'OIDC/Token', u: 'bob', uu: 'alice' });
    const det = (r: typeof token): Record<string, string | undefined> =>
      Object.fromEntries(r!.det.split(',').map((d) => d.split('=') as [string, string]));
    expect(det(token).authorization).toBe(authorization!.i);
    expect(det(token).grant).toBe(det(authorization).grant);
    expect(det(authorization).grant).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // Two requests (the browser's, the client's back channel): two transactions.
    expect(token!.tx).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(token!.tx).not.toBe(authorization!.tx);
    // The whole sign-in: login, form offered, choice, authorization, token.
    expect(since(n).map((r) => `${r.P} ${r.act}`)).toEqual([
      'Authn/Login login',
      'OIDC/SSO offer',
      'OIDC/SSO choose',
      'OIDC/SSO release',
      'OIDC/Token release',
    ]);
  });

  it('ties a refreshed token to the same grant', async () => {
    const n = audits().length;
    const tokens = await signInAndRedeem(rpBrowser(), other, 'dave', undefined, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    await other.refresh(tokens.refresh_token!);
    const [authorization, code, refresh] = since(n).filter((r) => r.act === 'release');
    expect(refresh).toMatchObject({ P: 'OIDC/Token', b: 'refresh_token', u: 'dave' });
    expect(code!.det).toContain(`authorization=${authorization!.i}`);
    const grant = /grant=([^,]+)/.exec(authorization!.det)![1];
    expect(refresh!.det).toBe(`grant=${grant}`);
  });
});

describe('silent (prompt=none) refusals', () => {
  it('records login_required without an IdP session (NoPassive)', async () => {
    const n = audits().length;
    const pending = await rp.authorize({ prompt: 'none' });
    const page = await rpBrowser().get(pending.url);
    expect(callbackParams(page.headers.get('location')!).get('error')).toBe('login_required');
    expect(since(n)).toMatchObject([
      {
        act: 'refuse',
        P: 'OIDC/SSO',
        SP: 'demo-rp',
        e: 'NoPassive',
        S: 'login_required',
        det: 'error=login_required',
        u: '',
      },
    ]);
  });

  it('records interaction_required where the impersonate form would be needed', async () => {
    const b = rpBrowser();
    await signInAndRedeem(b, rp, 'alice');
    const n = audits().length;
    const pending = await rp.authorize({ prompt: 'none' });
    const page = await b.get(pending.url);
    expect(callbackParams(page.headers.get('location')!).get('error')).toBe('interaction_required');
    const records = since(n);
    // The dry run shows nothing, so nothing is offered.
    expect(records).toMatchObject([
      { act: 'refuse', e: 'NoPassive', det: 'error=interaction_required', u: 'alice' },
    ]);
    expect(records[0]!.tx).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});
