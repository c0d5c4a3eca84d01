/**
 * Parallel OpenID Connect authorizations in one browser (one cookie jar), in Chromium: alice has
 * several tabs at the impersonate form of the same client and answers them in any order —
 * impersonating bob in one, carol in another, continuing as herself in a third — including a tab
 * whose redirect back to oidc-provider is held until other tabs have answered and landed. Every tab
 * must reach the client with the account chosen in it, with no error page and no logout
 * confirmation page, and the audit log must name the effective and the real user of each.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { browserAvailable, launchChromium } from '../support/chromium.js';
import { TabRp, type TabOutcome } from '../support/tab-rp.js';
import { auditRecord, startTestIdp, type TestIdp } from '../support/test-idp.js';

const SECRET = 'demo-rp-secret-for-the-demo-only';
type Answer = { impersonate: string } | 'proceed';

describe.skipIf(!browserAvailable)(
  'parallel OIDC authorizations in one browser (Chromium)',
  { timeout: 90_000 },
  () => {
    let t: TestIdp;
    let rp: TabRp;
    let browser: Browser;
    /** Every URL the browsers asked the IdP for in the current test. */
    const idpRequests: string[] = [];

    beforeAll(async () => {
      rp = await TabRp.listen();
      t = await startTestIdp({ properties: { 'demo.oidc.baseURL': rp.baseURL } });
      await rp.connect(t.baseURL, 'demo-rp', SECRET);
      browser = await launchChromium();
    });

    const contexts: BrowserContext[] = [];
    afterEach(async () => {
      for (const context of contexts.splice(0)) await context.close();
      // No tab ever passed through oidc-provider's logout (end-session confirmation).
      expect(idpRequests.splice(0).filter((u) => u.includes('/idp/profile/oidc/logout'))).toEqual(
        [],
      );
    });

    afterAll(async () => {
      await browser?.close();
      rp?.close();
      await t?.close();
    });

    async function newContext(): Promise<BrowserContext> {
      const context = await browser.newContext();
      contexts.push(context);
      context.on('request', (r) => {
        if (r.url().startsWith(t.baseURL)) idpRequests.push(r.url());
      });
      return context;
    }

    async function openTab(context: BrowserContext): Promise<Page> {
      const page = await context.newPage();
      await page.goto(`${rp.baseURL}/start`);
      return page;
    }

    async function signIn(page: Page, user: string): Promise<void> {
      await page.fill('input[name=j_username]', user);
      await page.fill('input[name=j_password]', `demo-${user}`);
      await page.click('button[name=_eventId_proceed]');
    }

    async function expectForm(page: Page): Promise<void> {
      await expect.poll(() => page.textContent('h1')).toBe('Account Impersonation');
    }

    /**
     * Presses the button for the answer; the browser then goes on by itself. A held tab's button is
     * pressed from the page's script, since Playwright's click would wait for the held navigation.
     */
    async function answer(page: Page, a: Answer, held = false): Promise<void> {
      if (a !== 'proceed') await page.selectOption('select[name=principal]', a.impersonate);
      const button = page.locator(
        a === 'proceed' ? 'button[name=_eventId_proceed]' : 'button[name=_eventId_impersonate]',
      );
      if (held) await button.evaluate((b) => (b as HTMLButtonElement).click());
      else await button.click();
    }

    async function landedAs(page: Page): Promise<string> {
      try {
        await page.waitForURL(`${rp.baseURL}/callback*`, { timeout: 10_000 });
      } catch {
        throw new Error(
          `the tab did not reach the client: ${page.url()} shows "${await page.textContent('h1').catch(() => '?')}": ${(await page.textContent('body').catch(() => ''))?.slice(0, 300)}`,
        );
      }
      const error = await page.locator('#error').count();
      if (error) throw new Error(`the client got an error: ${await page.textContent('#error')}`);
      return (await page.textContent('#sub'))!;
    }

    /**
     * Lets the tab's answer reach the IdP but holds the IdP's answer (the redirect back to
     * oidc-provider) from the browser until released: the tab has answered, and its browser has not
     * yet followed the redirect. (A route cannot hold the redirected request itself: Chromium follows
     * redirects below Playwright's interception.)
     */
    async function holdRedirect(
      page: Page,
    ): Promise<{ answered: Promise<string>; release: () => void }> {
      let answered!: (what: string) => void;
      let release!: () => void;
      const answeredP = new Promise<string>((r) => (answered = r));
      const released = new Promise<void>((r) => (release = r));
      await page.route(`${t.baseURL}/idp/profile/oidc/interaction/**`, async (route: Route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const response = await route.fetch({ maxRedirects: 0 });
        const title = /<h1>([^<]*)<\/h1>/.exec(await response.text())?.[1];
        answered(response.status() === 303 ? 'redirect' : `${response.status()} ${title ?? ''}`);
        await released;
        await route.fulfill({ response });
      });
      return { answered: answeredP, release };
    }

    async function answeredAtIdp(page: Page, answered: Promise<string>): Promise<void> {
      const late = new Promise<string>((r) =>
        setTimeout(() => r(`no answer from the IdP, page at ${page.url()}`), 10_000).unref(),
      );
      expect(await Promise.race([answered, late]), 'the IdP answers the form with a redirect').toBe(
        'redirect',
      );
    }

    function outcomeOf(sub: string, seen: number): TabOutcome {
      const outcome = rp.outcomes[seen];
      expect(outcome?.sub, JSON.stringify(outcome)).toBe(sub);
      return outcome!;
    }

    /** Answers the tabs one after another as planned: each must land as planned, audited as such. */
    async function answerInTurn(
      tabs: readonly Page[],
      plan: readonly [number, Answer, string][],
    ): Promise<void> {
      for (const [tab, a, sub] of plan) {
        const seen = rp.outcomes.length;
        await answer(tabs[tab]!, a);
        expect(await landedAs(tabs[tab]!), `tab ${tab}`).toBe(sub);
        expectAudited(outcomeOf(sub, seen), sub, sub === 'alice' ? '' : 'alice');
      }
    }

    function expectAudited(outcome: TabOutcome, u: string, uu: string): void {
      const records = t.auditRecords().map(auditRecord);
      const authorization = records.find((r) => r.i === outcome.codeHash);
      const token = records.find((r) => r.i === outcome.idTokenHash);
      expect(authorization, 'authorization record').toMatchObject({ u, uu, SP: 'demo-rp', e: '' });
      expect(token, 'token record').toMatchObject({ u, uu, SP: 'demo-rp', e: '' });
    }

    /** alice signed in (IdP session) and one authorization done: the carrier session holds alice. */
    async function aliceSignedIn(): Promise<BrowserContext> {
      const context = await newContext();
      const first = await openTab(context);
      await signIn(first, 'alice');
      await expectForm(first);
      await answer(first, 'proceed');
      expect(await landedAs(first)).toBe('alice');
      await first.close();
      return context;
    }

    it('each tab ends as chosen, answered one after another in any order', async () => {
      const context = await aliceSignedIn();
      const tabs = [];
      for (let i = 0; i < 4; i++) tabs.push(await openTab(context));
      for (const tab of tabs) await expectForm(tab);

      const plan: [number, Answer, string][] = [
        [2, { impersonate: 'carol' }, 'carol'],
        [0, { impersonate: 'bob' }, 'bob'],
        [3, 'proceed', 'alice'],
        [1, { impersonate: 'bob' }, 'bob'],
      ];
      await answerInTurn(tabs, plan);
    });

    it('each tab ends as chosen when one tab answers while another has not yet followed its redirect', async () => {
      const context = await aliceSignedIn();
      const tabs = [];
      for (let i = 0; i < 4; i++) tabs.push(await openTab(context));
      for (const tab of tabs) await expectForm(tab);

      // Tabs 0-2 answer at the IdP; their browsers are held before going back to oidc-provider.
      const answers: [Answer, string][] = [
        [{ impersonate: 'bob' }, 'bob'],
        ['proceed', 'alice'],
        [{ impersonate: 'carol' }, 'carol'],
      ];
      const holds = [];
      for (const [i, [a]] of answers.entries()) {
        const hold = await holdRedirect(tabs[i]!);
        await answer(tabs[i]!, a, true);
        await answeredAtIdp(tabs[i]!, hold.answered);
        holds.push(hold);
      }
      // Released in another order than answered: proceed (alice), then bob, then carol.
      for (const i of [1, 0, 2]) {
        const seen = rp.outcomes.length;
        holds[i]!.release();
        const sub = answers[i]![1];
        expect(await landedAs(tabs[i]!), `tab ${i}`).toBe(sub);
        expectAudited(outcomeOf(sub, seen), sub, sub === 'alice' ? '' : 'alice');
      }
      // The fourth tab, opened before all of this, still works.
      const seen = rp.outcomes.length;
      await answer(tabs[3]!, { impersonate: 'carol' });
      expect(await landedAs(tabs[3]!)).toBe('carol');
      expectAudited(outcomeOf('carol', seen), 'carol', 'alice');
    });

    it('each tab ends as chosen when the held tabs all go back at once', async () => {
      const context = await aliceSignedIn();
      const tabs = [];
      for (let i = 0; i < 3; i++) tabs.push(await openTab(context));
      for (const tab of tabs) await expectForm(tab);
      const answers: [Answer, string][] = [
        [{ impersonate: 'carol' }, 'carol'],
        [{ impersonate: 'bob' }, 'bob'],
        ['proceed', 'alice'],
      ];
      const holds = [];
      for (const [i, [a]] of answers.entries()) {
        const hold = await holdRedirect(tabs[i]!);
        await answer(tabs[i]!, a, true);
        await answeredAtIdp(tabs[i]!, hold.answered);
        holds.push(hold);
      }
      for (const hold of holds) hold.release();
      const subs = await Promise.all(tabs.map((tab) => landedAs(tab)));
      expect(subs).toEqual(answers.map(([, sub]) => sub));
    });

    it('each tab ends as chosen when the browser has no oidc-provider session (ended by logout, or expired)', async () => {
      const context = await aliceSignedIn();
      await context.clearCookies({ name: '_session' }); // the IdP session (shib_idp_session) stays
      const tabs = [await openTab(context), await openTab(context), await openTab(context)];
      for (const tab of tabs) await expectForm(tab);
      const plan: [number, Answer, string][] = [
        [0, { impersonate: 'bob' }, 'bob'],
        [1, 'proceed', 'alice'],
        [2, { impersonate: 'carol' }, 'carol'],
      ];
      await answerInTurn(tabs, plan);
    });

    it('a tab that signs in with a password does not spoil another tab waiting at the login form', async () => {
      const context = await newContext();
      const tabs = [await openTab(context), await openTab(context)];
      for (const tab of tabs) expect(await tab.locator('input[name=j_password]').count()).toBe(1);
      await signIn(tabs[0]!, 'alice');
      await expectForm(tabs[0]!);
      await answer(tabs[0]!, { impersonate: 'bob' });
      expect(await landedAs(tabs[0]!)).toBe('bob');
      // The second tab still shows the login form it got before alice signed in (and the session
      // got a new id): signing in there works too.
      await signIn(tabs[1]!, 'alice');
      await expectForm(tabs[1]!);
      await answer(tabs[1]!, 'proceed');
      expect(await landedAs(tabs[1]!)).toBe('alice');
    });
  },
);
