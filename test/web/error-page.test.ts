/**
 * No dead ends (issue 10, item 7): an error page says who is signed in, at which service, what was
 * refused and why, and links the way back — through real SAML flows at the test SP. A malformed
 * request (no service known) still gets a page with a link to the IdP's start page, and a
 * relying party's display name with HTML in it is shown as text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { hasSamlResponse, signInThrough, TestSp } from '../support/test-sp.js';

const SP = 'https://sp.demo.example.org/shibboleth';
const HOSTILE = `<script>alert("x")</script> & <b>Co</b>`;

let t: TestIdp;
let sp: TestSp;
/** The SP's home as configured: the origin of its AssertionConsumerService URL. */
let spHome: string;

beforeAll(async () => {
  t = await startTestIdp();
  sp = await TestSp.create(t.baseURL);
  const rp = t.idp.config.relyingParties.find((r) => r.id === SP);
  if (rp?.kind !== 'saml') throw new Error('no demo SP');
  spHome = `${new URL(rp.assertionConsumerServiceURL).origin}/`;
});
afterAll(async () => t?.close());

async function erinAsks(idp: TestIdp, account: string): Promise<Page> {
  const spOf = idp === t ? sp : await TestSp.create(idp.baseURL);
  const browser = new Browser();
  const form = await signInThrough(spOf, browser, 'erin');
  expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
  return browser.submit(form, { principal: account }, '_eventId_impersonate');
}

describe('the error page of a refused impersonation', () => {
  it('names erin, the service, the account asked for and why, and links back to the service', async () => {
    const page = await erinAsks(t, 'admin');
    expect(page.status).toBe(403);
    expect(hasSamlResponse(page)).toBe(false);
    expect(page.html.querySelector('h1')?.text).toBe('Access Denied');
    expect(page.html.querySelector('.signed-in')?.text).toBe('erin');
    expect(page.html.querySelector('.service')?.text).toBe(`Demo SAML Service Provider (${SP})`);
    expect(page.html.querySelector('.requested')?.text).toBe('admin');
    expect(page.html.querySelector('.why')?.text).toContain('policy does not allow');
    expect(page.html.querySelector('.event code')?.text).toBe('ImpersonationViolation');
    const back = page.html.querySelector('a.back-to-service');
    expect(back?.getAttribute('href')).toBe(spHome);
    expect(back?.text).toBe('Back to Demo SAML Service Provider');
    expect(page.html.querySelector('a.try-again')?.getAttribute('href')).toBe(spHome);
    expect(page.html.querySelector('a.whoami')?.getAttribute('href')).toBe('/idp/profile/whoami');
    // What "try again" and "continue normally" mean: a new sign-in at the service.
    expect(page.html.querySelector('.way-back-note')?.text).toContain('Continue normally');
    expect(page.body).not.toMatch(/<script/i);
  });

  it('says there is no such account for an allowed name that names none', async () => {
    const page = await erinAsks(t, 'nobody');
    expect(page.html.querySelector('h1')?.text).toBe('No Such Account');
    expect(page.html.querySelector('.requested')?.text).toBe('nobody');
    expect(page.html.querySelector('.why')?.text).toContain('no such account');
    expect(page.html.querySelector('a.back-to-service')?.getAttribute('href')).toBe(spHome);
    expect(page.html.querySelector('.signed-in')?.text).toBe('erin');
  });
});

describe('an error page with no service known', () => {
  it('keeps its text and links to the IdP start page', async () => {
    const page = await new Browser().get(
      `${t.baseURL}/idp/profile/SAML2/Redirect/SSO?SAMLRequest=not-a-request`,
    );
    expect(page.status).toBe(400);
    expect(page.html.querySelector('.error')?.text.length).toBeGreaterThan(0);
    expect(page.html.querySelector('a.idp-index')?.getAttribute('href')).toBe('/idp');
    expect(page.html.querySelector('a.back-to-service')).toBeNull();
    expect(page.html.querySelector('.service')).toBeNull();
  });
});

describe('escaping', () => {
  it('shows a display name with HTML in it as text, in the service line and the link back', async () => {
    const hostile = await startTestIdp({
      conf: {
        'relying-party.yaml': (old) =>
          old.replace(
            'displayName: Demo SAML Service Provider',
            `displayName: ${JSON.stringify(HOSTILE)}`,
          ),
      },
    });
    try {
      const page = await erinAsks(hostile, 'admin');
      expect(page.html.querySelector('h1')?.text).toBe('Access Denied');
      expect(page.html.querySelector('.service')?.text).toBe(`${HOSTILE} (${SP})`);
      expect(page.html.querySelector('a.back-to-service')?.text).toBe(`Back to ${HOSTILE}`);
      expect(page.body).not.toMatch(/<script/i);
      expect(page.body).not.toContain('<b>Co</b>');
      expect(page.body).toContain('&lt;script&gt;');
    } finally {
      await hostile.close();
    }
  });
});
