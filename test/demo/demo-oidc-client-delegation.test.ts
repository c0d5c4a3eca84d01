/**
 * The demo OpenID Connect client against the real IdP when its client entry allows impersonation
 * level delegate: a delegated identity (`act` in the ID token) gets the banner "bob — acted by
 * alice", with the reason escaped; plain impersonation and an ordinary sign-in get none.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoOidcClient } from '../../src/demo/demo-oidc-client.js';
import { Browser, type Page } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';

let t: TestIdp;
let rp: Server;
let rpURL: string;

beforeAll(async () => {
  const rpPort = await freePort();
  rpURL = `http://127.0.0.1:${rpPort}`;
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': rpURL },
    conf: {
      'relying-party.yaml': (old) =>
        old.replace(
          'redirectUris: ["%{demo.oidc.baseURL}/callback"]',
          `$&
    impersonation: { maxLevel: delegate, trustedForDelegation: true }`,
        ),
    },
  });
  const props = t.idp.config.properties;
  ({ server: rp } = await startDemoOidcClient({
    issuer: props.oidc.issuer,
    clientId: props.demo.oidc.clientId,
    clientSecret: props.demo.oidc.clientSecret,
    baseURL: rpURL,
    port: rpPort,
    listenAddress: '127.0.0.1',
  }));
});

afterAll(async () => {
  rp?.closeAllConnections();
  rp?.close();
  await t?.close();
});

/** alice signs in through the demo client and answers the impersonate form: the client's result page. */
async function signIn(answer: Record<string, string>, button: string): Promise<Page> {
  const b = new Browser();
  const login = await b.get(`${rpURL}/login`);
  const form = await b.submit(
    login,
    { j_username: 'alice', j_password: 'demo-alice' },
    '_eventId_proceed',
  );
  expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
  const result = await b.submit(form, answer, button);
  expect(result.html.querySelector('h1')?.text).toBe('Signed in');
  return result;
}

describe('the demo OIDC client and a delegated identity', () => {
  it('shows "bob — acted by alice" with the reason, escaped', async () => {
    const page = await signIn(
      { principal: 'bob', level: 'delegate', reason: 'INC-1 <b>check</b>' },
      '_eventId_impersonate',
    );
    expect(page.html.querySelector('#sub')?.text).toBe('bob');
    const banner = page.html.querySelector('#acted-by');
    expect(banner?.getAttribute('role')).toBe('status');
    expect(banner?.text.trim()).toMatch(/^bob — acted by alice/);
    expect(page.html.querySelector('#acted-by-reason')?.text).toBe('(reason: INC-1 <b>check</b>)');
    expect(banner?.querySelectorAll('b')).toHaveLength(0);
    expect(page.body).toContain('INC-1 &lt;b&gt;check&lt;/b&gt;');
  });

  it('shows no banner for plain impersonation', async () => {
    const page = await signIn(
      { principal: 'bob', level: 'impersonate', reason: '' },
      '_eventId_impersonate',
    );
    expect(page.html.querySelector('#sub')?.text).toBe('bob');
    expect(page.html.querySelector('#acted-by')).toBeNull();
  });

  it('shows no banner for an ordinary sign-in', async () => {
    const page = await signIn({}, '_eventId_proceed');
    expect(page.html.querySelector('#sub')?.text).toBe('alice');
    expect(page.html.querySelector('#acted-by')).toBeNull();
  });
});
