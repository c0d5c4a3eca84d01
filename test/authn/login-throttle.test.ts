/**
 * Login throttling keyed like Shibboleth's lockout (issue 7, item 9): failures count per account
 * and client address, with a separate, higher ceiling per account. Each client is a real TCP peer
 * with its own loopback address (127.0.0.2, 127.0.0.3, … on Linux), as the IdP sees it in req.ip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { hasSamlResponse, TestSp } from '../support/test-sp.js';

const WRONG = 'The username or password is wrong.';
const LOCKED_HERE =
  'Too many failed logins for this account from your network address. Try again in a few minutes.';
const LOCKED_EVERYWHERE = 'Too many failed logins for this account. Try again in a few minutes.';

let t: TestIdp;
let sp: TestSp;

beforeAll(async () => {
  // The shipped maxFailures (5); a per-account ceiling of 8 so the test needs few addresses.
  t = await startTestIdp({ properties: { 'idp.login.maxFailuresPerAccount': '8' } });
  sp = await TestSp.create(t.baseURL);
});
afterAll(async () => t?.close());

/** Browsers by client address, each kept on its login form so attempts follow each other quickly. */
const clients = new Map<string, { browser: Browser; page?: Page }>();

/** One login attempt from `address`; the page after the password. */
async function attempt(
  address: string,
  user: string,
  password: string,
  headers?: Record<string, string>,
): Promise<Page> {
  const key = `${address} ${JSON.stringify(headers ?? {})}`;
  const client = clients.get(key) ?? { browser: new Browser({ localAddress: address, headers }) };
  clients.set(key, client);
  const onForm = client.page?.html.querySelector('input[name=j_password]')
    ? client.page
    : undefined;
  const login = onForm ?? (await client.browser.get(await sp.loginURL()));
  const page = await client.browser.submit(
    login,
    { j_username: user, j_password: password },
    '_eventId_proceed',
  );
  client.page = page;
  // Signed in: the next attempt from this address is a new browser, with no IdP session.
  if (!page.html.querySelector('input[name=j_password]')) clients.delete(key);
  return page;
}

const errorOf = (page: Page) => page.html.querySelector('.error')?.text;

describe('per account and client address', () => {
  it('five failures from one address do not lock the account for another address', async () => {
    for (let i = 0; i < 5; i++)
      expect(errorOf(await attempt('127.0.0.2', 'bob', 'wrong'))).toBe(WRONG);
    // From 127.0.0.2 bob is locked, even with the right password …
    const here = await attempt('127.0.0.2', 'bob', 'demo-bob');
    expect(errorOf(here)).toBe(LOCKED_HERE);
    expect(hasSamlResponse(here)).toBe(false);
    // … but bob himself, at 127.0.0.3, signs in.
    expect(hasSamlResponse(await attempt('127.0.0.3', 'bob', 'demo-bob'))).toBe(true);
    await expect
      .poll(() => t.processLog())
      .toContain(
        "Login by 'bob' refused: too many failed attempts from this address (client '127.0.0.2')",
      );
  });

  it('counts the TCP peer, not an X-Forwarded-For header', async () => {
    // Were the header trusted, these five would count against 10.0.0.1 and the sixth, from
    // "10.0.0.99", would get through.
    for (let i = 0; i < 5; i++)
      expect(
        errorOf(await attempt('127.0.0.4', 'carol', 'wrong', { 'x-forwarded-for': '10.0.0.1' })),
      ).toBe(WRONG);
    expect(
      errorOf(
        await attempt('127.0.0.4', 'carol', 'demo-carol', { 'x-forwarded-for': '10.0.0.99' }),
      ),
    ).toBe(LOCKED_HERE);
  });

  it("forgets an address's failures once that address signs in", async () => {
    for (let i = 0; i < 4; i++) await attempt('127.0.0.5', 'erin', 'wrong');
    expect(hasSamlResponse(await attempt('127.0.0.5', 'erin', 'demo-erin'))).toBe(false); // the impersonate form: signed in
    for (let i = 0; i < 4; i++)
      expect(errorOf(await attempt('127.0.0.5', 'erin', 'wrong'))).toBe(WRONG);
    // Eight failures from this address in the window, but only four since the successful login.
    const page = await attempt('127.0.0.5', 'erin', 'demo-erin');
    expect(errorOf(page)).toBeUndefined();
    expect(page.html.querySelector('h1')?.text).toBe('Account Impersonation');
  });
});

describe('per account across addresses', () => {
  it('locks the account everywhere once idp.login.maxFailuresPerAccount is reached', async () => {
    for (let i = 0; i < 4; i++) await attempt('127.0.0.6', 'dave', 'wrong');
    for (let i = 0; i < 4; i++) await attempt('127.0.0.7', 'dave', 'wrong');
    // Eight failures from two addresses, neither of which has reached five: the ceiling (8) holds.
    const page = await attempt('127.0.0.8', 'dave', 'demo-dave');
    expect(errorOf(page)).toBe(LOCKED_EVERYWHERE);
    expect(hasSamlResponse(page)).toBe(false);
    await expect
      .poll(() => t.processLog())
      .toContain(
        "Login by 'dave' refused: too many failed attempts from all addresses together (client '127.0.0.8')",
      );
  });
});

describe('exact passwords (issue 7, item 12)', () => {
  it('refuses a password with a trailing NUL, which PBKDF2-HMAC would take for the real one', async () => {
    const page = await attempt('127.0.0.9', 'admin', 'demo-admin\u0000');
    expect(hasSamlResponse(page)).toBe(false);
    expect(errorOf(page)).toBe(
      'Passwords cannot contain control characters (such as a NUL character, a tab or a line break).',
    );
    await expect
      .poll(() => t.processLog())
      .toContain(
        "Login by 'admin' failed: the password contains a control character (client '127.0.0.9')",
      );
  });

  it.each([
    '\u0000demo-admin',
    'demo-admin\u0000\u0000',
    'demo-admin\n',
    'demo-\u007fadmin',
    'demo-admin\u0085',
  ])('refuses %j', async (password) => {
    const page = await attempt('127.0.0.10', 'admin', password);
    expect(hasSamlResponse(page)).toBe(false);
    expect(errorOf(page)).toContain('control characters');
  });

  it('counts such a password as a failed attempt', async () => {
    for (let i = 0; i < 5; i++) await attempt('127.0.0.11', 'alice', 'demo-alice\u0000');
    expect(errorOf(await attempt('127.0.0.11', 'alice', 'demo-alice'))).toBe(LOCKED_HERE);
  });

  it('refuses a password longer than any account can have', async () => {
    const page = await attempt('127.0.0.12', 'bob', 'x'.repeat(1025));
    expect(errorOf(page)).toBe('That password is longer than any password here.');
  });
});

describe('a burst of attempts at once', () => {
  it('cannot get more guesses than the limit by posting many login forms together', async () => {
    const idp = await startTestIdp();
    try {
      const idpSp = await TestSp.create(idp.baseURL);
      const browser = new Browser({ localAddress: '127.0.0.30' });
      // Twelve login forms open at once, eleven wrong passwords and the right one last, all posted
      // together: each attempt must see the ones before it, though none has finished hashing yet.
      const first = await browser.get(await idpSp.loginURL()); // the session (and its cookie) exists from here
      const forms = [
        first,
        ...(await Promise.all(
          Array.from({ length: 11 }, async () => browser.get(await idpSp.loginURL())),
        )),
      ];
      const pages = await Promise.all(
        forms.map((form, i) =>
          browser.submit(
            form,
            { j_username: 'dave', j_password: i === 11 ? 'demo-dave' : `wrong-${i}` },
            '_eventId_proceed',
          ),
        ),
      );
      expect(pages.filter((p) => errorOf(p) === WRONG)).toHaveLength(5);
      expect(pages.filter((p) => errorOf(p) === LOCKED_HERE)).toHaveLength(7);
      expect(pages.some(hasSamlResponse)).toBe(false);
    } finally {
      await idp.close();
    }
  });
});
