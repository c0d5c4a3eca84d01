/**
 * Impersonation levels in a real browser (Chromium, issue 10): the IdP with the demo SP and the demo
 * OIDC client as `npm start` runs them — both configured here to admit delegate — and a staging
 * SP (a second demo SP) whose relying-party entry says `impersonation: { mode: required }`.
 *
 * - alice previews bob at the demo SP (identify: the preview page, nothing reaches the SP), goes
 *   Back (the form keeps her choice), then delegates bob ("bob — acted by alice" at the SP),
 *   impersonates carol, and delegates bob at the demo OIDC client with a reason;
 * - "Who am I" (linked from the header of IdP pages) lists those with their levels, and its
 *   "Sign out" ends the IdP session: the next sign-in asks for the password;
 * - at the staging SP there is no "Continue normally"; erin's refused choice (the escalation guard)
 *   leads back through "Try again"; dave, who may not impersonate, gets "Impersonation Required"
 *   (never the staging SP as dave), and "Back to" the service lands at its home page.
 *
 * Everything is asserted as a person sees it: headings, texts, where the browser is.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDemoOidcClient } from '../../src/demo/demo-oidc-client.js';
import { startDemoSp } from '../../src/demo/demo-sp.js';
import { browserAvailable, launchChromium } from '../support/chromium.js';
import { freePort } from '../support/free-port.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';

const STAGING_ID = 'https://staging.example.org/shibboleth';
const STAGING_NAME = 'Staging Service';
const DEMO_SP_ID = 'https://sp.demo.example.org/shibboleth';

/** The shipped relying parties admit delegate; a staging SP requiring impersonation is added. */
function relyingParties(stagingURL: string) {
  return (text: string): string =>
    text
      .replace(
        /^ {4}postAuthenticationFlows: \[impersonate\]$/gm,
        '$&\n    impersonation: { maxLevel: delegate, trustedForDelegation: true }',
      )
      .replace(
        '\noidcClients:\n',
        [
          `  - entityID: ${STAGING_ID}`,
          `    displayName: ${STAGING_NAME}`,
          `    assertionConsumerServiceURL: ${stagingURL}/saml/acs`,
          '    postAuthenticationFlows: [impersonate]',
          '    impersonation: { mode: required }',
          '',
          'oidcClients:',
          '',
        ].join('\n'),
      );
}

describe.skipIf(!browserAvailable)(
  'impersonation levels, Who am I and error pages in Chromium',
  { timeout: 60_000 },
  () => {
    let t: TestIdp;
    const servers: Server[] = [];
    let spURL: string;
    let rpURL: string;
    let stagingURL: string;
    let browser: Browser;
    /** Every URL the browsers asked the services' assertion consumers and callbacks for. */
    const arrivals: string[] = [];

    beforeAll(async () => {
      const [spPort, rpPort, stagingPort] = [await freePort(), await freePort(), await freePort()];
      spURL = `http://127.0.0.1:${spPort}`;
      rpURL = `http://127.0.0.1:${rpPort}`;
      stagingURL = `http://127.0.0.1:${stagingPort}`;
      t = await startTestIdp({
        properties: { 'demo.sp.baseURL': spURL, 'demo.oidc.baseURL': rpURL },
        conf: { 'relying-party.yaml': relyingParties(stagingURL) },
      });
      const props = t.idp.config.properties;
      const idpMetadataURL = `${t.baseURL}/idp/shibboleth`;
      const sp = { listenAddress: '127.0.0.1', idpMetadataURL };
      servers.push(
        (
          await startDemoSp({
            ...sp,
            entityID: props.demo.sp.entityID,
            baseURL: spURL,
            port: spPort,
          })
        ).server,
        (await startDemoSp({ ...sp, entityID: STAGING_ID, baseURL: stagingURL, port: stagingPort }))
          .server,
        (
          await startDemoOidcClient({
            issuer: props.oidc.issuer,
            clientId: props.demo.oidc.clientId,
            clientSecret: props.demo.oidc.clientSecret,
            baseURL: rpURL,
            port: rpPort,
            listenAddress: '127.0.0.1',
          })
        ).server,
      );
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      for (const s of servers) s.close();
      await t?.close();
    });

    async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext();
      context.setDefaultTimeout(10_000);
      context.on('request', (r) => {
        const url = r.url();
        if (/\/saml\/acs|\/callback/.test(url) && !url.startsWith(t.baseURL)) arrivals.push(url);
      });
      return { context, page: await context.newPage() };
    }

    /** Starts a sign-in at a service (its home page's link) and answers the password page. */
    async function signIn(page: Page, service: string, user: string): Promise<void> {
      await startAt(page, service);
      await expectPasswordPage(page);
      await page.fill('input[name=j_username]', user);
      await page.fill('input[name=j_password]', `demo-${user}`);
      await page.click('button[name=_eventId_proceed]');
    }

    async function startAt(page: Page, service: string): Promise<void> {
      await page.goto(`${service}/`);
      await page.click('#login');
    }

    async function expectPasswordPage(page: Page): Promise<void> {
      await page.waitForSelector('input[name=j_password]');
      expect(page.url().startsWith(t.baseURL)).toBe(true);
    }

    const heading = (page: Page) => page.textContent('h1');
    const text = async (page: Page, selector: string) =>
      ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

    async function expectForm(page: Page, service: string): Promise<void> {
      await expect.poll(() => heading(page)).toBe('Account Impersonation');
      expect(await text(page, '.service')).toContain(service);
    }

    /** Fills the form (a select list for alice, a text field for others) and presses Impersonate. */
    async function choose(
      page: Page,
      account: string,
      level: 'identify' | 'impersonate' | 'delegate',
      reason?: string,
    ): Promise<void> {
      const field = page.locator('[name=principal]');
      if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(account);
      else await field.fill(account);
      if (reason !== undefined) await page.fill('textarea[name=reason]', reason);
      await page.check(`input[name=level][value=${level}]`);
      await page.click('button[name=_eventId_impersonate]');
    }

    const continueNormally = (page: Page) => page.locator('button[name=_eventId_proceed]');

    /** The rows of a table's body as the texts of their cells. */
    async function rows(page: Page, table: string): Promise<string[][]> {
      return page.$$eval(`${table} tbody tr`, (trs) =>
        trs.map((tr) =>
          Array.from(tr.children, (c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()),
        ),
      );
    }

    describe('alice at the demo SP and the demo OIDC client', () => {
      let context: BrowserContext;
      let page: Page;

      beforeAll(async () => ({ context, page } = await newPage()));
      afterAll(async () => context?.close());

      it('identify: the preview shows what the SP would receive as bob; nothing reaches the SP', async () => {
        await signIn(page, spURL, 'alice');
        await expectForm(page, 'Demo SAML Service Provider');
        expect(
          await page
            .locator('input[name=level]')
            .evaluateAll((r) => r.map((e) => (e as HTMLInputElement).value)),
        ).toEqual(['identify', 'impersonate', 'delegate']);
        await choose(page, 'bob', 'identify', 'QA-1 checking bob');

        await expect.poll(() => heading(page)).toBe('Impersonation Preview');
        expect(page.url().startsWith(t.baseURL)).toBe(true);
        expect(await text(page, 'main')).toContain('Account previewed: bob');
        const preview = await rows(page, 'table.preview');
        expect(preview[0]).toEqual([
          'NameID (urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified)',
          '',
          'bob',
        ]);
        expect(preview).toContainEqual([expect.any(String), 'mail', 'bob@example.org']);
        expect(preview.flat().join(' ')).not.toContain('alice');
        expect(await text(page, '.notice')).toContain('Nothing has been sent to the service.');
        expect(arrivals).toEqual([]);
      });

      it('Back: the form again, with the choice kept', async () => {
        await page.click('button[name=_eventId_back]');
        await expectForm(page, 'Demo SAML Service Provider');
        // bob is also the list's first entry: the reason field is what shows the choice was kept.
        expect(await page.inputValue('select[name=principal]')).toBe('bob');
        expect(await page.inputValue('textarea[name=reason]')).toBe('QA-1 checking bob');
        // The level stays identify: pressing Impersonate again previews again, never releases.
        expect(await page.isChecked('input[name=level][value=identify]')).toBe(true);
        expect(await continueNormally(page).count()).toBe(1);
        expect(arrivals).toEqual([]);
      });

      it('delegate: the demo SP receives bob and shows that alice acts for him', async () => {
        await choose(page, 'bob', 'delegate', '');
        await page.waitForURL(`${spURL}/saml/acs`);
        expect(await text(page, '#nameid')).toBe('bob');
        expect(await text(page, '#delegation')).toBe('bob — acted by alice');
        expect(await text(page, 'tr[data-attribute=mail] td:last-child')).toBe('bob@example.org');
      });

      it('impersonate: the next sign-in (no password) as carol carries no actor', async () => {
        await page.click('text=Sign in again');
        await expectForm(page, 'Demo SAML Service Provider');
        await choose(page, 'carol', 'impersonate');
        await page.waitForURL(`${spURL}/saml/acs`);
        expect(await text(page, '#nameid')).toBe('carol');
        expect(await page.locator('#delegation').count()).toBe(0);
      });

      it('delegate at the demo OIDC client: the act claim names alice and her reason', async () => {
        await startAt(page, rpURL);
        await expectForm(page, 'Demo OpenID Connect Client');
        await choose(page, 'bob', 'delegate', 'QA-2 delegated check');
        await page.waitForURL(`${rpURL}/callback*`);
        expect(await text(page, '#sub')).toBe('bob');
        expect(await text(page, '#acted-by')).toBe(
          'bob — acted by alice (reason: QA-2 delegated check)',
        );
        expect(JSON.parse((await page.textContent('#userinfo'))!)).toMatchObject({
          sub: 'bob',
          act: { sub: 'alice' },
        });
      });

      it('Who am I, from the header of the next form, lists the impersonations with their levels', async () => {
        await page.click('text=Sign in again');
        await expectForm(page, 'Demo OpenID Connect Client');
        expect(await text(page, 'header .whoami-link')).toBe('Signed in as alice · Who am I');
        await page.click('header >> text=Who am I');
        await page.waitForURL(`${t.baseURL}/idp/profile/whoami`);
        expect(await text(page, 'dd.account')).toBe('alice');
        const listed = (await rows(page, 'table.impersonations')).map((r) => r.slice(0, 3));
        // Newest first; the preview released nothing, so it is not among them.
        expect(listed).toEqual([
          ['bob', 'demo-rp', 'delegate'],
          ['carol', DEMO_SP_ID, 'impersonate'],
          ['bob', DEMO_SP_ID, 'delegate'],
        ]);
      });

      it('Sign out ends the IdP session: the next sign-in asks for the password', async () => {
        await page.click('form.sign-out button');
        await expect.poll(() => heading(page)).toBe('Signed Out');
        await page.goto(`${t.baseURL}/idp/profile/whoami`);
        expect(await text(page, '.nobody')).toContain('Nobody is signed in');
        await startAt(page, spURL);
        await expectPasswordPage(page);
      });
    });

    describe('a relying party that requires impersonation', () => {
      it('erin: no "Continue normally"; a refused choice leads back through "Try again"', async () => {
        const { context, page } = await newPage();
        await signIn(page, stagingURL, 'erin');
        await expectForm(page, STAGING_NAME);
        expect(await continueNormally(page).count()).toBe(0);

        // carol holds an entitlement erin does not: the escalation guard refuses her.
        await choose(page, 'carol', 'impersonate');
        await expect.poll(() => heading(page)).toBe('Access Denied');
        expect(await text(page, '.refused')).toContain('Account asked for: carol');
        expect(await text(page, 'dd.signed-in')).toBe('erin');
        expect(await text(page, 'dd.service')).toContain(STAGING_NAME);
        expect(await text(page, '.way-back-note')).not.toContain('Continue normally');
        await page.click('a.try-again');
        await page.waitForURL(`${stagingURL}/`);

        // Signing in there again: the form again, no password; bob is allowed.
        await page.click('#login');
        await expectForm(page, STAGING_NAME);
        expect(await continueNormally(page).count()).toBe(0);
        await choose(page, 'bob', 'impersonate');
        await page.waitForURL(`${stagingURL}/saml/acs`);
        expect(await text(page, '#nameid')).toBe('bob');
        await context.close();
      });

      it('dave, who may not impersonate, gets "Impersonation Required" and a way back, never the service as dave', async () => {
        const { context, page } = await newPage();
        const before = arrivals.length;
        await signIn(page, stagingURL, 'dave');
        await expect.poll(() => heading(page)).toBe('Impersonation Required');
        expect(page.url().startsWith(t.baseURL)).toBe(true);
        expect(await text(page, '.error')).toContain(
          'This service accepts only an impersonated account',
        );
        expect(await text(page, 'dd.signed-in')).toBe('dave');
        expect(await text(page, 'dd.service')).toBe(`${STAGING_NAME} (${STAGING_ID})`);
        expect(arrivals.slice(before)).toEqual([]);

        // Who am I, from the error page: dave, with no impersonation.
        await page.click('.way-back a.whoami');
        expect(await text(page, 'dd.account')).toBe('dave');
        expect(await text(page, '.no-impersonations')).toBe('None.');
        await page.goBack();

        await page.click(`a.back-to-service:has-text("Back to ${STAGING_NAME}")`);
        await page.waitForURL(`${stagingURL}/`);
        expect(await heading(page)).toBe('Demo SAML Service Provider');
        expect(arrivals.slice(before)).toEqual([]);
        await context.close();
      });
    });
  },
);
