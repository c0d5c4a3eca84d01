/**
 * The auditors' page on a running IdP, in Chromium: the records of a real run (an impersonation,
 * a refused one, a plain sign-in) in the table, the per-day chart drawn on the server (no script,
 * under the IdP's Content-Security-Policy), the verify status of the current file, the filters;
 * and the page closed — with an audit record of the refusal — when its policy is missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as Chromium } from 'playwright-core';
import { Browser, type Page } from '../support/browser.js';
import { browserAvailable, launchChromium } from '../support/chromium.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { TestSp } from '../support/test-sp.js';

const PAGE = '/idp/profile/admin/audit';

async function login(sp: TestSp, user: string): Promise<{ browser: Browser; form: Page }> {
  const browser = new Browser();
  const page = await browser.get(await sp.loginURL());
  const form = await browser.submit(
    page,
    { j_username: user, j_password: `demo-${user}` },
    '_eventId_proceed',
  );
  return { browser, form };
}

describe.skipIf(!browserAvailable)("the auditors' page in Chromium", () => {
  let t: TestIdp;
  let chromium: Chromium;

  beforeAll(async () => {
    t = await startTestIdp();
    const sp = await TestSp.create(t.baseURL);
    const alice = await login(sp, 'alice');
    await sp.receive(
      await alice.browser.submit(alice.form, { principal: 'bob' }, '_eventId_impersonate'),
    );
    const erin = await login(sp, 'erin');
    await erin.browser.submit(erin.form, { principal: 'admin' }, '_eventId_impersonate');
    await sp.receive((await login(sp, 'dave')).form);
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await t?.close();
  });

  it('lists the run, draws the chart, and says the current file verifies', async () => {
    const page = await chromium.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto(`${t.baseURL}${PAGE}`);
    expect(res?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Audit log');
    expect(await page.textContent('#verify strong')).toBe('Verified');
    expect(await page.textContent('#impersonations')).toBe('1');
    expect(Number(await page.textContent('#refusals'))).toBeGreaterThanOrEqual(1);
    const rows = await page.$$eval('table.audit tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
    );
    const release = rows.find((r) => r[5] === 'release' && r[1] === 'alice');
    expect(release?.slice(1, 5)).toEqual([
      'alice',
      'bob',
      'https://sp.demo.example.org/shibboleth',
      'SAML2/SSO',
    ]);
    expect(rows.find((r) => r[6] === 'ImpersonationViolation')?.slice(1, 3)).toEqual([
      'erin',
      'admin',
    ]);
    // The chart: an SVG with a bar per count, its numbers in the bars' titles, visible.
    const bars = await page.$$eval('svg.audit-chart rect title', (ts) =>
      ts.map((x) => x.textContent),
    );
    expect(bars.some((b) => / 1 impersonations$/.test(b ?? ''))).toBe(true);
    expect(await page.isVisible('svg.audit-chart')).toBe(true);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('filters as `audit query` does, and says which filter it could not use', async () => {
    const page = await chromium.newPage();
    await page.goto(`${t.baseURL}${PAGE}`);
    await page.fill('input[name=actor]', 'erin');
    await page.check('input[name=refusalsOnly]');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const actors = await page.$$eval('table.audit tbody tr td:nth-child(2)', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(actors.length).toBeGreaterThan(0);
    expect(new Set(actors)).toEqual(new Set(['erin']));
    expect(await page.textContent('#impersonations')).toBe('0');
    expect(await page.inputValue('input[name=actor]')).toBe('erin');

    await page.goto(`${t.baseURL}${PAGE}?since=last+tuesday&actor=%3Cscript%3Ex`);
    expect(await page.textContent('#filter-problems')).toContain('since "last tuesday"');
    expect(await page.inputValue('input[name=actor]')).toBe('<script>x');
    expect(await page.textContent('#records')).toContain('No record matches.');
    await page.close();
  });

  it('shows a tampered current file as NOT VERIFIED, naming the line', async () => {
    const file = t.idp.config.properties.logs.auditFile;
    const lines = readFileSync(file, 'utf8').split('\n');
    const edited = lines.findIndex((l) => l.includes('|erin|'));
    lines[edited] = lines[edited]!.replace('|erin|', '|dave|');
    writeFileSync(file, lines.join('\n'));
    const page = await chromium.newPage();
    await page.goto(`${t.baseURL}${PAGE}`);
    expect(await page.textContent('#verify strong')).toBe('NOT VERIFIED');
    expect(await page.textContent('#verify ul')).toContain(`idp-audit.log:${edited + 1} edited`);
    await page.close();
  });
});

describe("the auditors' page without its policy", () => {
  let t: TestIdp;
  beforeAll(async () => {
    t = await startTestIdp({ properties: { 'idp.audit.reviewPolicy': 'NoSuchPolicy' } });
  });
  afterAll(async () => t?.close());

  it('is refused, and the refusal is audited before the answer', async () => {
    const res = await fetch(`${t.baseURL}${PAGE}`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('Audit log</h1>');
    expect(t.lastAudit()).toMatchObject({
      P: 'Admin/Audit',
      act: 'refuse',
      e: 'AccessDenied',
    });
  });
});
