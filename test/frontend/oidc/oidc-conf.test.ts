/**
 * OIDC behaviour that depends on configuration: token lifetimes under impersonation (g), one set of
 * policy files deciding for both protocols (f), a violation not declared local, and an audit log
 * that cannot be written.
 */
import { describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { callbackParams, TestRp } from '../../support/test-rp.js';
import { hasSamlResponse, TestSp } from '../../support/test-sp.js';

const SECRET = 'demo-rp-secret-for-the-demo-only';
const CALLBACK = 'http://127.0.0.1:9/callback';
const REFRESHING_CLIENT = {
  'relying-party.yaml': (old: string) =>
    old.replace(
      '    scopes: [openid, profile, email]\n    postAuthenticationFlows: [impersonate]',
      '    scopes: [openid, profile, email]\n    refreshTokens: true\n    postAuthenticationFlows: [impersonate]',
    ),
};

function browser(): Browser {
  const b = new Browser();
  b.stopAt.push('http://127.0.0.1:9/');
  return b;
}

async function withIdp(
  options: Parameters<typeof startTestIdp>[0],
  body: (t: TestIdp) => Promise<void>,
): Promise<void> {
  const t = await startTestIdp({
    ...options,
    properties: { 'demo.oidc.baseURL': 'http://127.0.0.1:9', ...options?.properties },
  });
  try {
    await body(t);
  } finally {
    await t.close();
  }
}

async function signIn(b: Browser, url: string, user: string): Promise<Page> {
  return b.submit(
    await b.get(url),
    { j_username: user, j_password: `demo-${user}` },
    '_eventId_proceed',
  );
}

describe('(g) lifetimes of tokens issued under impersonation', () => {
  it('expire after idp.oidc.impersonation.tokenLifetime, refresh tokens included when conf allows them', async () => {
    await withIdp(
      {
        properties: {
          'idp.oidc.impersonation.tokenLifetime': 'PT2S',
          'idp.oidc.impersonation.refreshTokens': 'true',
        },
        conf: REFRESHING_CLIENT,
      },
      async (t) => {
        const rp = await TestRp.create(t.baseURL, 'demo-rp', SECRET, CALLBACK);
        const b = browser();
        const pending = await rp.authorize({
          scope: 'openid profile email offline_access',
          prompt: 'consent',
        });
        const form = await signIn(b, pending.url, 'alice');
        const callback = (
          await b.submit(form, { principal: 'bob' }, '_eventId_impersonate')
        ).headers.get('location')!;
        const tokens = await rp.redeem(callback, pending);
        expect(tokens.expires_in).toBeLessThanOrEqual(2);
        expect(tokens.claims()!.exp - tokens.claims()!.iat).toBeLessThanOrEqual(2);
        expect(tokens.refresh_token).toBeDefined(); // allowed by conf here …
        expect(await rp.userinfo(tokens.access_token, 'bob')).toMatchObject({ sub: 'bob' });

        await new Promise((r) => setTimeout(r, 3100));
        await expect(rp.userinfo(tokens.access_token, 'bob')).rejects.toThrow();
        expect(await rp.introspect(tokens.access_token)).toMatchObject({ active: false });
        await expect(rp.refresh(tokens.refresh_token!)).rejects.toThrow(); // … and just as short-lived
      },
    );
  });
});

describe('(f) one set of policy files decides for SAML and OIDC', () => {
  it('gives the answers the shipped policies define, whichever protocol asks', async () => {
    await withIdp({}, async (t) => {
      const sp = await TestSp.create(t.baseURL);
      const rp = await TestRp.create(t.baseURL, 'demo-rp', SECRET, CALLBACK);
      type Outcome = 'impersonated' | 'denied' | 'no form';
      // alice's rights come from her attributes, which name both relying parties; the help desk
      // rule covers https://*.example.org/** — the SAML SP's entity ID, not the client id demo-rp.
      const cases: { user: string; target: string; saml: Outcome; oidc: Outcome }[] = [
        { user: 'alice', target: 'bob', saml: 'impersonated', oidc: 'impersonated' },
        { user: 'alice', target: 'dave', saml: 'denied', oidc: 'denied' },
        { user: 'erin', target: 'dave', saml: 'impersonated', oidc: 'no form' },
        // The escalation guard: carol holds an entitlement erin does not.
        { user: 'erin', target: 'carol', saml: 'denied', oidc: 'no form' },
        { user: 'erin', target: 'admin', saml: 'denied', oidc: 'no form' },
        { user: 'dave', target: 'bob', saml: 'no form', oidc: 'no form' },
      ];
      for (const c of cases) {
        const sb = browser();
        const samlPage = await signIn(sb, await sp.loginURL(), c.user);
        const ob = browser();
        const pending = await rp.authorize();
        const oidcPage = await signIn(ob, pending.url, c.user);

        const samlForm =
          samlPage.html.querySelector('input[name=principal], select[name=principal]') !== null;
        const oidcForm =
          oidcPage.status === 200 &&
          oidcPage.html.querySelector('input[name=principal], select[name=principal]') !== null;
        expect(samlForm, `${c.user} SAML form`).toBe(c.saml !== 'no form');
        expect(oidcForm, `${c.user} OIDC form`).toBe(c.oidc !== 'no form');

        const samlResult = samlForm
          ? await sb.submit(samlPage, { principal: c.target }, '_eventId_impersonate')
          : samlPage;
        const oidcResult = oidcForm
          ? await ob.submit(oidcPage, { principal: c.target }, '_eventId_impersonate')
          : oidcPage;
        const samlSubject = hasSamlResponse(samlResult)
          ? (await sp.receive(samlResult)).nameID
          : undefined;
        const location = oidcResult.headers.get('location');
        const oidcSubject = location
          ? (await rp.redeem(location, pending)).claims()!.sub
          : undefined;
        const expectSubject = (o: Outcome) =>
          o === 'impersonated' ? c.target : o === 'no form' ? c.user : undefined;
        expect(samlSubject, `${c.user} → ${c.target} over SAML`).toBe(expectSubject(c.saml));
        expect(oidcSubject, `${c.user} → ${c.target} over OIDC`).toBe(expectSubject(c.oidc));
      }
    });
  });
});

describe('events that are not local', () => {
  it('answer the client with an error, never a code, when ImpersonationViolation is not in errors.yaml', async () => {
    await withIdp(
      { conf: { 'errors.yaml': (old) => old.replace('  ImpersonationViolation: true\n', '') } },
      async (t) => {
        const rp = await TestRp.create(t.baseURL, 'demo-rp', SECRET, CALLBACK);
        const b = browser();
        const pending = await rp.authorize();
        const result = await b.submit(
          await signIn(b, pending.url, 'alice'),
          { principal: 'dave' },
          '_eventId_impersonate',
        );
        const params = callbackParams(result.headers.get('location')!);
        expect(params.get('error')).toBe('access_denied');
        expect(params.get('code')).toBeNull();
        const records = t.auditRecords().map(auditRecord);
        expect(records[records.length - 1]).toMatchObject({
          e: 'ImpersonationViolation',
          S: 'access_denied',
          u: 'alice',
          SP: 'demo-rp',
        });
      },
    );
  });
});

describe('audit log that cannot be written', () => {
  it('withholds the authorization response: error page, no code for the client', async () => {
    await withIdp({ properties: { 'idp.audit.file': '/dev/full' } }, async (t) => {
      const rp = await TestRp.create(t.baseURL, 'demo-rp', SECRET, CALLBACK);
      const b = browser();
      const pending = await rp.authorize();
      const page = await signIn(b, pending.url, 'dave');
      expect(page.status).toBe(500);
      expect(page.html.querySelector('h1')?.text).toBe('Not Recorded');
      expect(page.headers.get('location')).toBeNull();
      expect(page.url).not.toContain('code=');
    });
  });
});
