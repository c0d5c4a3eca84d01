/**
 * Audit coverage over SAML, through real flows (issue 9, item 1): logins (success, wrong password,
 * unknown account, throttled, empty form), the impersonate form offered, the tester's choice, names
 * refused by the form's checks, releases — each record's fields by name, the transaction id shared
 * with the process log, and never the password typed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../support/test-idp.js';
import { TestSp } from '../support/test-sp.js';

const SP = 'https://sp.demo.example.org/shibboleth';
/** A password typed on the login form that must never reach a log. */
const SECRET = 'Never-Logged-Pw-7f3a9c';

let t: TestIdp;
let sp: TestSp;

beforeAll(async () => {
  t = await startTestIdp({ properties: { 'idp.login.maxFailures': '2' } });
  sp = await TestSp.create(t.baseURL);
});
afterAll(async () => t?.close());

const audits = () => t.auditRecords().map(auditRecord);
const since = (n: number) => audits().slice(n);

async function login(b: Browser, user: string, password: string): Promise<Page> {
  return b.submit(
    await b.get(await sp.loginURL()),
    { j_username: user, j_password: password },
    '_eventId_proceed',
  );
}

/** The transaction id of the first process-log line containing `text` (time - tx - LEVEL …). */
async function txOfLogLine(text: string): Promise<string> {
  await expect.poll(() => t.processLog()).toContain(text);
  const line = t
    .processLog()
    .split('\n')
    .find((l) => l.includes(text))!;
  return /^\S+ - (\S+) - /.exec(line)![1]!;
}

describe('login records (P=Authn/Login, act=login)', () => {
  it('records a success with the account and the same tx as the process log line', async () => {
    const n = audits().length;
    await login(new Browser(), 'dave', 'demo-dave');
    const [record] = since(n).filter((r) => r.act === 'login');
    expect(record).toMatchObject({ P: 'Authn/Login', u: 'dave', e: '', SP, det: '' });
    expect(record!.tx).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(record!.t).toMatch(/^\d{8}T\d{6}Z$/);
    expect(record!.ac).toMatch(/^urn:oasis:names:tc:SAML:2.0:ac:classes:Password/);
    expect(await txOfLogLine("Login by 'dave' succeeded")).toBe(record!.tx);
    // The release that follows in the same request carries the same tx.
    expect(since(n).find((r) => r.act === 'release')).toMatchObject({
      P: 'SAML2/SSO',
      u: 'dave',
      tx: record!.tx,
    });
  });

  it('records a wrong password and an unknown account alike (InvalidCredentials), the record telling them apart', async () => {
    const n = audits().length;
    const wrong = await login(new Browser(), ' Bob ', SECRET);
    expect(wrong.html.querySelector('input[name=j_password]')).not.toBeNull();
    await login(new Browser(), 'nobody', SECRET);
    expect(since(n)).toMatchObject([
      { act: 'login', P: 'Authn/Login', e: 'InvalidCredentials', u: 'bob', det: '' },
      { act: 'login', e: 'InvalidCredentials', u: 'nobody', det: 'account=unknown' },
    ]);
  });

  it('records the throttle refusing (AccountLocked) and an empty form (NoCredentials)', async () => {
    const n = audits().length;
    for (let i = 0; i < 3; i++) await login(new Browser(), 'carol', SECRET);
    await login(new Browser(), '', '');
    await login(new Browser(), 'carol', '');
    expect(since(n).map((r) => [r.u, r.e, r.det])).toEqual([
      ['carol', 'InvalidCredentials', ''],
      ['carol', 'InvalidCredentials', ''],
      ['carol', 'AccountLocked', 'lockout=address'],
      ['', 'NoCredentials', ''],
      ['carol', 'NoCredentials', ''],
    ]);
  });

  it('never writes the password typed to the audit or the process log', async () => {
    await expect.poll(() => t.processLog()).toContain("Login by 'carol' refused");
    expect(t.auditRecords().flat().join('|')).not.toContain(SECRET);
    expect(t.auditRecords().flat().join('|')).not.toContain(encodeURIComponent(SECRET));
    expect(t.processLog()).not.toContain(SECRET);
  });
});

describe('the impersonate form (act=offer, choose, refuse)', () => {
  it('records the offer, "Continue normally" and the release, in order', async () => {
    const b = new Browser();
    const n = audits().length;
    const form = await login(b, 'alice', 'demo-alice');
    const offered = since(n);
    expect(offered.map((r) => r.act)).toEqual(['login', 'offer']);
    expect(offered[1]).toMatchObject({ P: 'SAML2/SSO', SP, u: 'alice', det: 'choices=2' });
    expect(offered[1]!.tx).toBe(offered[0]!.tx); // one request: the login post
    const m = audits().length;
    await sp.receive(await b.submit(form, {}, '_eventId_proceed'));
    const after = since(m);
    expect(after).toMatchObject([
      { act: 'choose', u: 'alice', ut: '', det: 'choice=self', SP },
      { act: 'release', u: 'alice', uu: '', P: 'SAML2/SSO', e: '' },
    ]);
    expect(after[0]!.tx).toBe(after[1]!.tx);
    expect(after[0]!.tx).not.toBe(offered[0]!.tx);
  });

  it('records the choice to impersonate with the name as typed and canonicalized, and ties the release to the process log', async () => {
    const b = new Browser();
    const form = await login(b, 'alice', 'demo-alice');
    const n = audits().length;
    await sp.receive(await b.submit(form, { principal: 'bob' }, '_eventId_impersonate'));
    const [choose, release] = since(n);
    expect(choose).toMatchObject({ act: 'choose', u: 'alice', ut: 'bob', utc: 'bob' });
    expect(choose!.det).toBe('choice=impersonate,level=impersonate');
    expect(release).toMatchObject({ act: 'release', u: 'bob', uu: 'alice', tx: choose!.tx });
    expect(await txOfLogLine("Impersonation by principal 'alice' as 'bob'")).toBe(release!.tx);
  });

  it('records names refused by the checks (InvalidImpersonationName) and shows the form again', async () => {
    const b = new Browser();
    const form = await login(b, 'erin', 'demo-erin');
    const n = audits().length;
    const again = await b.submit(form, { principal: 'b*' }, '_eventId_impersonate');
    expect(again.html.querySelector('input[name=principal]')).not.toBeNull();
    const mixed = await b.submit(again, { principal: 'bоb' }, '_eventId_impersonate'); // Cyrillic о
    await b.submit(mixed, { principal: 'a\u0000b' }, '_eventId_impersonate');
    const refused = since(n);
    expect(refused.map((r) => [r.act, r.e, r.u, decodeURIComponent(r.ut), r.utc])).toEqual([
      ['refuse', 'InvalidImpersonationName', 'erin', 'b*', ''],
      ['refuse', 'InvalidImpersonationName', 'erin', 'bоb', ''],
      ['refuse', 'InvalidImpersonationName', 'erin', 'a\u0000b', ''],
    ]);
    expect(refused.map((r) => r.det.split('=')[0])).toEqual(['problem', 'problem', 'problem']);
    expect(refused[0]!.det).toBe('problem=wildcard');
    expect(refused[2]!.det).toBe('problem=control-character');
  });

  it('records an empty name as a refusal (problem=empty) and the own name as continuing as self, saying why', async () => {
    const b = new Browser();
    const form = await login(b, 'erin', 'demo-erin');
    const n = audits().length;
    const again = await b.submit(form, { principal: '  ' }, '_eventId_impersonate');
    expect(again.html.querySelector('input[name=principal]')).not.toBeNull();
    await sp.receive(await b.submit(again, { principal: ' ERIN ' }, '_eventId_impersonate'));
    const records = since(n);
    expect(records.map((r) => [r.act, r.e, r.det])).toEqual([
      ['refuse', 'InvalidImpersonationName', 'problem=empty'],
      ['choose', '', 'choice=self,typed=own-name'],
      ['release', '', ''],
    ]);
    expect(decodeURIComponent(records[0]!.ut)).toBe('  ');
    expect(records[1]).toMatchObject({ u: 'erin', utc: 'erin' });
  });

  it('marks policy refusals act=refuse', async () => {
    const b = new Browser();
    const form = await login(b, 'erin', 'demo-erin');
    await b.submit(form, { principal: 'admin' }, '_eventId_impersonate');
    expect(t.lastAudit()).toMatchObject({
      act: 'refuse',
      e: 'ImpersonationViolation',
      P: 'SAML2/SSO',
      ut: 'admin',
    });
  });
});
