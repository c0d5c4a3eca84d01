/**
 * What the end-to-end impersonation tests read off the IdP's pages and audit log: the form's
 * levels and buttons, the identify preview's table, the %det entries of a record — and the
 * sign-in steps that lead to the form, over SAML (node-saml) or OIDC (openid-client).
 */
import type { Browser, Page } from './browser.js';
import { auditRecord, type TestIdp } from './test-idp.js';
import type { PendingAuthorization, TestRp } from './test-rp.js';
import type { TestSp } from './test-sp.js';

/** The %det entries of a record, each percent-decoded. */
export function details(det: string): string[] {
  return det === '' ? [] : det.split(',').map(decodeURIComponent);
}

/** The test IdP's audit records (default format), field → value. */
export function audits(t: TestIdp) {
  return t.auditRecords().map(auditRecord);
}

/** The level radio buttons the impersonate form offers, in order. */
export function levelsOffered(page: Page): string[] {
  return page.html.querySelectorAll('input[name=level]').map((i) => i.getAttribute('value')!);
}

/** The names of the submit buttons of a page's form. */
export function buttons(page: Page): string[] {
  return page.html.querySelectorAll('form button[type=submit]').map((b) => b.getAttribute('name')!);
}

export function isImpersonateForm(page: Page): boolean {
  return page.html.querySelector('h1')?.text === 'Account Impersonation';
}

/** The identify preview's table: the subject row, then name → {attribute id, values} per row. */
export interface PreviewTable {
  readonly subject: { readonly name: string; readonly value: string };
  readonly items: Record<string, { readonly id: string; readonly values: string[] }>;
}

export function previewTable(page: Page): PreviewTable {
  const rows = page.html.querySelectorAll('table.preview tbody tr');
  if (rows.length === 0) throw new Error(`no preview table (status ${page.status}): ${page.body}`);
  const [subject, ...rest] = rows.map((tr) => ({
    name: tr.querySelector('th')!.text.trim(),
    id: tr.querySelector('td')!.text.trim(),
    values: tr.querySelectorAll('code').map((c) => c.text),
  }));
  return {
    subject: { name: subject!.name, value: subject!.values.join(' ') },
    items: Object.fromEntries(rest.map((r) => [r.name, { id: r.id, values: r.values }])),
  };
}

/** Signs `user` in at the login page `url` leads to: the page after the login form. */
async function signIn(b: Browser, url: string, user: string): Promise<Page> {
  const login = await b.get(url);
  return b.submit(login, { j_username: user, j_password: `demo-${user}` }, '_eventId_proceed');
}

/** `user` signs in through a fresh AuthnRequest of `sp`: the page after the login form. */
export async function samlSignIn(b: Browser, sp: TestSp, user: string): Promise<Page> {
  return signIn(b, await sp.loginURL(), user);
}

/** `user` signs in at `rp` (a fresh authorization request): that page and the pending request. */
export async function oidcSignIn(
  b: Browser,
  rp: TestRp,
  user: string,
  extra: Record<string, string> = {},
): Promise<{ page: Page; pending: PendingAuthorization }> {
  const pending = await rp.authorize(extra);
  return { page: await signIn(b, pending.url, user), pending };
}

/** The RP's claims as openid-client receives them: the ID token's and userinfo's. */
export async function oidcReceived(rp: TestRp, callback: Page, pending: PendingAuthorization) {
  const location = callback.headers.get('location');
  if (!location) throw new Error(`no redirect (status ${callback.status}): ${callback.body}`);
  const tokens = await rp.redeem(location, pending);
  const idToken = tokens.claims()!;
  const userinfo = await rp.userinfo(tokens.access_token, idToken.sub);
  return { idToken, userinfo };
}
