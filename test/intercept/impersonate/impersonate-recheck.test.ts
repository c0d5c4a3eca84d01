/**
 * A parked request re-checks who the user is before anything is released (issue 7, item 3): the
 * impersonate form can stay open for idp.flow.timeout, and meanwhile an admin can disable, lock
 * or delete the signed-in account (here, as an admin tool would: a second connection to the IdP's
 * database file), or the login can run out. Whatever happened, the form post releases nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import {
  deleteAccount,
  disableAccount,
  enableAccount,
  lockAccount,
  unlockAccount,
} from '../../support/admin-db.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { demoRp, startOidcTestIdp } from '../../support/oidc-clients.js';
import { callbackParams, type TestRp } from '../../support/test-rp.js';
import { hasSamlResponse, signInThrough, TestSp } from '../../support/test-sp.js';

const SP = 'https://sp.demo.example.org/shibboleth';

describe('the real user changes while the impersonate form is open', () => {
  let t: TestIdp;
  let sp: TestSp;
  beforeAll(async () => {
    t = await startTestIdp();
    sp = await TestSp.create(t.baseURL);
  });
  afterAll(async () => t?.close());

  it.each([
    ['disabled', disableAccount, enableAccount, 'is disabled'],
    ['locked', lockAccount, unlockAccount, 'is locked'],
  ] as const)(
    'releases nothing when alice is %s before she posts the form',
    async (_what, change, undo, logged) => {
      const browser = new Browser();
      const form = await signInThrough(sp, browser, 'alice');
      expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
      change(t, 'alice');
      try {
        const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
        expect(hasSamlResponse(page)).toBe(false);
        expect(page.status).toBe(403);
        expect(page.html.querySelector('h1')?.text).toBe('Account Unavailable');
        expect(page.body).not.toContain('bob@example.org');
        expect(t.lastAudit()).toMatchObject({
          e: 'AccountDisabled',
          u: 'alice',
          uu: '',
          SP,
          attr: '',
          n: '',
        });
        await expect
          .poll(() => t.processLog())
          .toContain(
            `Request by principal 'alice' to relying party '${SP}' refused: account 'alice' ${logged}`,
          );
      } finally {
        undo(t, 'alice');
      }
    },
  );

  it('refuses a disabled alice the plain "Continue normally" too', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    disableAccount(t, 'alice');
    try {
      const page = await browser.submit(form, {}, '_eventId_proceed');
      expect(hasSamlResponse(page)).toBe(false);
      expect(page.html.querySelector('h1')?.text).toBe('Account Unavailable');
    } finally {
      enableAccount(t, 'alice');
    }
  });

  it('releases nothing when a locked target is chosen: checked right before the response', async () => {
    // The form and the policies are fine with bob, and bob's attributes resolve; only the check
    // before the respond step sees the lock.
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    lockAccount(t, 'bob');
    try {
      const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
      expect(hasSamlResponse(page)).toBe(false);
      expect(page.html.querySelector('h1')?.text).toBe('Account Unavailable');
      expect(t.lastAudit()).toMatchObject({
        e: 'AccountDisabled',
        u: 'bob',
        uu: 'alice',
        attr: '',
        n: '',
      });
      await expect
        .poll(() => t.processLog())
        .toContain(
          `Impersonation by principal 'alice' as 'bob' to relying party '${SP}' refused: account 'bob' is locked`,
        );
    } finally {
      unlockAccount(t, 'bob');
    }
  });

  it('releases nothing to an SSO that shows no form once the account is locked', async () => {
    const browser = new Browser();
    expect(hasSamlResponse(await signInThrough(sp, browser, 'dave'))).toBe(true);
    lockAccount(t, 'dave');
    try {
      const page = await browser.get(await sp.loginURL());
      expect(hasSamlResponse(page)).toBe(false);
      expect(page.html.querySelector('h1')?.text).toBe('Account Unavailable');
      expect(t.lastAudit()).toMatchObject({ e: 'AccountDisabled', u: 'dave', SSO: 'true' });
    } finally {
      unlockAccount(t, 'dave');
    }
  });

  it('refuses the password of a locked account', async () => {
    lockAccount(t, 'carol');
    try {
      const browser = new Browser();
      const page = await signInThrough(sp, browser, 'carol');
      expect(hasSamlResponse(page)).toBe(false);
      expect(page.html.querySelector('.error')?.text).toBe('The username or password is wrong.');
    } finally {
      unlockAccount(t, 'carol');
    }
  });
});

describe('alice is deleted while her form is open', () => {
  it('releases nothing', async () => {
    const t = await startTestIdp();
    try {
      const sp = await TestSp.create(t.baseURL);
      const browser = new Browser();
      const form = await signInThrough(sp, browser, 'alice');
      deleteAccount(t, 'alice');
      const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
      expect(hasSamlResponse(page)).toBe(false);
      expect(page.html.querySelector('h1')?.text).toBe('Account Unavailable');
      await expect
        .poll(() => t.processLog())
        .toContain("refused: account 'alice' no longer exists");
    } finally {
      await t.close();
    }
  });
});

describe('the login behind the form runs out or is replaced', () => {
  let t: TestIdp;
  let sp: TestSp;
  beforeAll(async () => {
    // A login good for 2 s; the form itself stays valid for 10 minutes.
    t = await startTestIdp({ properties: { 'idp.session.maxLifetime': 'PT2S' } });
    sp = await TestSp.create(t.baseURL);
  });
  afterAll(async () => t?.close());

  it('treats the form as stale once the login is older than idp.session.maxLifetime', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
    await new Promise((r) => setTimeout(r, 2_200));
    const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
    expect(hasSamlResponse(page)).toBe(false);
    expect(page.status).toBe(400);
    expect(page.html.querySelector('h1')?.text).toBe('Stale Request');
    expect(page.body).toContain('start again from the service');
    await expect
      .poll(() => t.processLog())
      .toContain(
        `Request by principal 'alice' to relying party '${SP}' refused: the IdP session no longer holds that login`,
      );
  });

  it('treats the form as stale once another login replaced the session (regression guard)', async () => {
    const browser = new Browser();
    const form = await signInThrough(sp, browser, 'alice');
    await signInThrough(await TestSp.create(t.baseURL, { forceAuthn: true }), browser, 'dave'); // same browser, new login
    const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
    expect(hasSamlResponse(page)).toBe(false);
    expect(page.html.querySelector('h1')?.text).toBe('Stale Request');
  });
});

describe('over OpenID Connect', () => {
  let t: TestIdp;
  let rp: TestRp;
  beforeAll(async () => {
    t = await startOidcTestIdp();
    rp = await demoRp(t);
  });
  afterAll(async () => t?.close());

  async function impersonateForm(browser: Browser, extra: Record<string, string> = {}) {
    browser.stopAt.push('http://127.0.0.1:9/');
    const pending = await rp.authorize(extra);
    const login = await browser.get(pending.url);
    const form = await browser.submit(
      login,
      { j_username: 'alice', j_password: 'demo-alice' },
      '_eventId_proceed',
    );
    expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
    return { form, pending };
  }

  it('issues no code when alice is disabled before she posts the form', async () => {
    const browser = new Browser();
    const { form } = await impersonateForm(browser);
    disableAccount(t, 'alice');
    try {
      const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
      expect(page.status).toBe(403);
      expect(page.html.querySelector('h1')?.text).toBe('Account Unavailable');
      const location = page.headers.get('location');
      expect(location === null || callbackParams(location).get('code') === null).toBe(true);
      expect(t.lastAudit()).toMatchObject({ e: 'AccountDisabled', u: 'alice', SP: 'demo-rp' });
    } finally {
      enableAccount(t, 'alice');
    }
  });

  it('holds max_age to the login the request was answered with: max_age=0 and a fresh login go through', async () => {
    const browser = new Browser();
    const { form, pending } = await impersonateForm(browser, { max_age: '0' });
    await new Promise((r) => setTimeout(r, 1_100)); // the login is now older than max_age
    const page = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
    expect(page.status).toBe(303);
    const tokens = await rp.redeem(page.headers.get('location')!, pending);
    expect(tokens.claims()!.sub).toBe('bob');
  });
});
