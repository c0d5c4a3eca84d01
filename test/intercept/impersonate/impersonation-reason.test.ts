/**
 * The reason field of the impersonate form (issue 10 item 4), end to end with the real SAML SP and
 * OIDC client: the SP requires a ticket-like reason (relying-party.yaml `impersonation:`), the
 * client takes any reason or none. The reason reaches the `choose` record and every release record
 * (SAML response; OIDC authorization and token), percent-encoded so that it cannot forge a field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestRp, type PendingAuthorization } from '../../support/test-rp.js';
import { TestSp } from '../../support/test-sp.js';

const SP = 'https://sp.demo.example.org/shibboleth';
const STOP = 'http://127.0.0.1:9';
const TICKET = "impersonation: { reason: required, reasonPattern: '^[A-Z]+-[0-9]+$' }";

let t: TestIdp;
let sp: TestSp;
let rp: TestRp;

beforeAll(async () => {
  t = await startTestIdp({
    properties: { 'demo.oidc.baseURL': STOP },
    conf: {
      'relying-party.yaml': (old) =>
        old.replace(
          'nameIDFormat: unspecified\n',
          () => `nameIDFormat: unspecified\n    ${TICKET}\n`,
        ),
    },
  });
  sp = await TestSp.create(t.baseURL);
  rp = await TestRp.create(
    t.baseURL,
    'demo-rp',
    'demo-rp-secret-for-the-demo-only',
    `${STOP}/callback`,
  );
});
afterAll(async () => t?.close());

const audits = () => t.auditRecords().map(auditRecord);
const fieldCounts = () => new Set(t.auditRecords().map((r) => r.length));

/** The %det entries of a record, each percent-decoded. */
function details(det: string): string[] {
  return det === '' ? [] : det.split(',').map(decodeURIComponent);
}

async function samlForm(b: Browser): Promise<Page> {
  const login = await b.get(await sp.loginURL());
  return b.submit(login, { j_username: 'alice', j_password: 'demo-alice' }, '_eventId_proceed');
}

async function oidcForm(b: Browser): Promise<{ form: Page; pending: PendingAuthorization }> {
  const pending = await rp.authorize();
  const login = await b.get(pending.url);
  const form = await b.submit(
    login,
    { j_username: 'alice', j_password: 'demo-alice' },
    '_eventId_proceed',
  );
  return { form, pending };
}

function reasonField(page: Page) {
  return page.html.querySelector('textarea[name=reason]')!;
}

function expectReasonRefused(page: Page, message: string, problem: string): void {
  expect(page.status).toBe(200);
  expect(page.html.querySelector('#impersonate-reason-error')?.text).toContain(message);
  expect(reasonField(page).getAttribute('aria-invalid')).toBe('true');
  expect(reasonField(page).getAttribute('aria-describedby')).toBe('impersonate-reason-error');
  expect(audits().at(-1)).toMatchObject({
    act: 'refuse',
    e: 'InvalidImpersonationReason',
    det: `problem=${problem}`,
  });
}

describe('the reason for an impersonation', () => {
  it('offers a Reason field limited to idp.impersonate.reason.maxLength', async () => {
    const { form } = await oidcForm(new Browser());
    expect(form.html.querySelector('label[for=impersonate-reason]')?.text).toContain('Reason');
    expect(reasonField(form).getAttribute('maxlength')).toBe('200');
    expect(reasonField(form).getAttribute('aria-invalid')).toBeUndefined();
  });

  it('at an SP that requires a ticket: no reason and "fix it" are refused, OPS-42 is recorded in choose and release', async () => {
    const b = new Browser();
    const form = await samlForm(b);
    expect(reasonField(form).getAttribute('aria-required')).toBe('true');

    const empty = await b.submit(form, { principal: 'bob', reason: '  ' }, '_eventId_impersonate');
    expectReasonRefused(empty, 'Give a reason', 'required');
    expect(audits().at(-1)).toMatchObject({ ut: 'bob', SP, u: 'alice' });

    const prose = await b.submit(
      empty,
      { principal: 'bob', reason: 'fix it' },
      '_eventId_impersonate',
    );
    expectReasonRefused(prose, 'The reason must look like', 'pattern');
    expect(prose.html.querySelector('#impersonate-reason-error code')?.text).toBe(
      '^[A-Z]+-[0-9]+$',
    );
    expect(reasonField(prose).text).toBe('fix it'); // kept for correction

    const n = audits().length;
    const post = await b.submit(
      prose,
      { principal: 'bob', reason: 'OPS-42' },
      '_eventId_impersonate',
    );
    expect((await sp.receive(post)).nameID).toBe('bob');
    const [choose, release] = audits().slice(n);
    expect(choose).toMatchObject({ act: 'choose', u: 'alice', ut: 'bob', e: '' });
    expect(details(choose!.det)).toEqual([
      'choice=impersonate',
      'level=impersonate',
      'reason=OPS-42',
    ]);
    expect(release).toMatchObject({ act: 'release', u: 'bob', uu: 'alice', P: 'SAML2/SSO' });
    expect(details(release!.det)).toEqual(['level=impersonate', 'reason=OPS-42']);
  });

  it('refuses a reason that is too long or has control characters, whatever the relying party asks', async () => {
    const b = new Browser();
    const { form } = await oidcForm(b);
    const long = await b.submit(
      form,
      { principal: 'bob', reason: 'x'.repeat(201) },
      '_eventId_impersonate',
    );
    expectReasonRefused(long, 'too long', 'too-long');
    let page = long;
    for (const reason of [
      'line one\nline two',
      'a\u0000b',
      'tab\there',
      'zero\u200bwidth',
      'a\u2028b',
    ]) {
      page = await b.submit(page, { principal: 'bob', reason }, '_eventId_impersonate');
      expectReasonRefused(page, 'control or invisible', 'control-character');
    }
    expect(JSON.stringify(audits().slice(-5))).not.toContain('line two');
  });

  it('records a hostile reason exactly in the authorization and token records, without forging a field', async () => {
    const hostile = 'a|b,c%41=d %0A|x=y';
    const counts = fieldCounts();
    const b = new Browser();
    b.stopAt.push(`${STOP}/`);
    const { form, pending } = await oidcForm(b);
    const n = audits().length;
    const done = await b.submit(
      form,
      { principal: 'bob', reason: hostile },
      '_eventId_impersonate',
    );
    const tokens = await rp.redeem(done.headers.get('location')!, pending);
    expect(tokens.claims()!.sub).toBe('bob');
    expect(JSON.stringify(tokens.claims())).not.toContain('a|b'); // not in tokens

    const [choose, authorization, token] = audits().slice(n);
    expect(details(choose!.det)).toEqual([
      'choice=impersonate',
      'level=impersonate',
      `reason=${hostile}`,
    ]);
    expect(authorization).toMatchObject({ act: 'release', P: 'OIDC/SSO', u: 'bob', uu: 'alice' });
    expect(details(authorization!.det)).toContain(`reason=${hostile}`);
    expect(token).toMatchObject({ act: 'release', u: 'bob', uu: 'alice' });
    expect(details(token!.det)).toContain(`reason=${hostile}`);
    expect(fieldCounts()).toEqual(counts);
  });

  it('takes no reason where none is required', async () => {
    const b = new Browser();
    b.stopAt.push(`${STOP}/`);
    const { form } = await oidcForm(b);
    const n = audits().length;
    const done = await b.submit(form, { principal: 'bob' }, '_eventId_impersonate');
    expect(done.status).toBe(303);
    expect(details(audits()[n]!.det)).toEqual(['choice=impersonate', 'level=impersonate']);
  });
});

describe('impersonation settings in relying-party.yaml', () => {
  it('fail start-up on a pattern that is no regular expression, naming the file, line and key', async () => {
    const started = startTestIdp({
      conf: {
        'relying-party.yaml': (old) =>
          old.replace(
            'nameIDFormat: unspecified\n',
            "nameIDFormat: unspecified\n    impersonation: { reasonPattern: '[A-Z+' }\n",
          ),
      },
    });
    await expect(started).rejects.toThrow(
      /relying-party\.yaml:\d+.*samlServiceProviders\[0\]\.impersonation\.reasonPattern/s,
    );
  });

  it('fail start-up on an unknown reason setting', async () => {
    const started = startTestIdp({
      conf: {
        'relying-party.yaml': (old) =>
          old.replace(
            'nameIDFormat: unspecified\n',
            'nameIDFormat: unspecified\n    impersonation: { reason: mandatory }\n',
          ),
      },
    });
    await expect(started).rejects.toThrow(/samlServiceProviders\[0\]\.impersonation\.reason\b/);
  });
});
