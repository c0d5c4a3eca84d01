/**
 * idp.impersonate.sessionLifetime bounds an impersonated session for both protocols, end to end:
 * a SAML assertion released for an impersonated account carries SessionNotOnOrAfter on its
 * AuthnStatement (and node-saml still accepts it), a plain one none; the OIDC tokens issued under
 * impersonation last as long, unless idp.oidc.impersonation.tokenLifetime is set explicitly.
 */
import { DOMParser } from '@xmldom/xmldom';
import { XmlDocument } from 'libxml2-wasm';
import { describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { validateSamlSchema } from '../../../src/frontend/saml/schema-validator.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp } from '../../support/test-rp.js';
import { responseXml, signInThrough, TestSp } from '../../support/test-sp.js';

const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SECRET = 'demo-rp-secret-for-the-demo-only';
const CALLBACK = 'http://127.0.0.1:9/callback';
const MINUTE = 60_000;

async function withIdp(
  properties: Record<string, string>,
  body: (t: TestIdp) => Promise<void>,
): Promise<void> {
  const t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': 'http://127.0.0.1:9', ...properties },
  });
  try {
    await body(t);
  } finally {
    await t.close();
  }
}

interface Release {
  /** Attributes of the assertion's one AuthnStatement. */
  readonly sessionIndex: string | null;
  /** SessionNotOnOrAfter minus the Response's IssueInstant, when the statement bounds the session. */
  readonly sessionLifetimeMs: number | undefined;
}

/** What an IdP post page tells the SP about its session: the AuthnStatement against IssueInstant. */
function sessionBound(page: Page): Release {
  const xml = responseXml(page);
  const parsed = XmlDocument.fromString(xml);
  try {
    validateSamlSchema(parsed); // SessionNotOnOrAfter where the SAML schema puts it
  } finally {
    parsed.dispose();
  }
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const statements = doc.getElementsByTagNameNS(SAML_NS, 'AuthnStatement');
  expect(statements.length).toBe(1);
  const issued = Date.parse(doc.documentElement.getAttribute('IssueInstant')!);
  expect(Math.abs(issued - Date.now())).toBeLessThan(MINUTE);
  const bound = statements[0]!.getAttribute('SessionNotOnOrAfter');
  return {
    sessionIndex: statements[0]!.getAttribute('SessionIndex'),
    sessionLifetimeMs: bound ? Date.parse(bound) - issued : undefined,
  };
}

/** alice signs in at the SAML SP and impersonates target (or continues as herself); node-saml checks the answer. */
async function samlRelease(t: TestIdp, target?: string): Promise<Release> {
  const sp = await TestSp.create(t.baseURL);
  const browser = new Browser();
  const form = await signInThrough(sp, browser, 'alice');
  const post = target
    ? await browser.submit(form, { principal: target }, '_eventId_impersonate')
    : await browser.submit(form, {}, '_eventId_proceed');
  const profile = await sp.receive(post); // node-saml accepts the assertion as it is
  expect(profile.nameID).toBe(target ?? 'alice');
  return sessionBound(post);
}

/** alice impersonates bob at the demo OIDC client; the token lifetimes in seconds. */
async function oidcLifetimes(t: TestIdp): Promise<{ access: number; id: number }> {
  const rp = await TestRp.create(t.baseURL, 'demo-rp', SECRET, CALLBACK);
  const b = new Browser();
  b.stopAt.push('http://127.0.0.1:9/');
  const pending = await rp.authorize();
  const form = await b.submit(
    await b.get(pending.url),
    { j_username: 'alice', j_password: 'demo-alice' },
    '_eventId_proceed',
  );
  const callback = (await b.submit(form, { principal: 'bob' }, '_eventId_impersonate')).headers.get(
    'location',
  )!;
  const tokens = await rp.redeem(callback, pending);
  const claims = tokens.claims()!;
  expect(claims.sub).toBe('bob');
  return { access: tokens.expires_in!, id: claims.exp - claims.iat };
}

describe('idp.impersonate.sessionLifetime', () => {
  it('by default: an impersonated SAML assertion bounds the SP session at issue + PT10M; a plain one not at all', async () => {
    await withIdp({}, async (t) => {
      expect((await samlRelease(t, 'bob')).sessionLifetimeMs).toBe(10 * MINUTE);
      const plain = await samlRelease(t);
      expect(plain.sessionLifetimeMs).toBeUndefined();
      expect(plain.sessionIndex).toMatch(/^_[0-9a-f]{32}$/);
    });
  });

  it('alone bounds both protocols: PT3M → SessionNotOnOrAfter at issue + 3 minutes and 3-minute tokens', async () => {
    await withIdp({ 'idp.impersonate.sessionLifetime': 'PT3M' }, async (t) => {
      expect(t.idp.config.properties.oidc.impersonationTokenLifetimeMs).toBe(3 * MINUTE);
      expect((await samlRelease(t, 'carol')).sessionLifetimeMs).toBe(3 * MINUTE);
      const { access, id } = await oidcLifetimes(t);
      expect(id).toBe(180);
      expect(access).toBeLessThanOrEqual(180);
      expect(access).toBeGreaterThan(170);
    });
  });

  it('yields to an explicit idp.oidc.impersonation.tokenLifetime for OIDC, still bounding SAML', async () => {
    await withIdp(
      {
        'idp.impersonate.sessionLifetime': 'PT2M',
        'idp.oidc.impersonation.tokenLifetime': 'PT5M',
      },
      async (t) => {
        expect((await samlRelease(t, 'bob')).sessionLifetimeMs).toBe(2 * MINUTE);
        const { access, id } = await oidcLifetimes(t);
        expect(id).toBe(300);
        expect(access).toBeLessThanOrEqual(300);
        expect(access).toBeGreaterThan(290);
      },
    );
  });
});
