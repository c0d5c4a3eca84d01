/**
 * Fuzzing the login form over HTTP (fast-check, fixed seed; see test/support/fuzz.ts): typed names
 * and passwords from exact to hostile (case and width variants, look-alike letters, wildcards,
 * trailing NULs and invisible characters, binary junk), odd buttons, missing or altered CSRF tokens
 * and junk fields. Never a 5xx, and a sign-in happens exactly when the name is an account's (after
 * the documented canonicalization: trim, NFKC, lower case) and the password is that account's,
 * byte for byte — then the page is for that account and nobody else.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import {
  ACCOUNTS,
  authnRequestXml,
  formNoise,
  fuzzParameters,
  malformedAuditLines,
  releasedResponse,
  SAML_SUCCESS,
  ssoRedirectURL,
  typedText,
  FUZZ_TIMEOUT_MS,
} from '../../support/fuzz.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';

let t: TestIdp;

beforeAll(async () => {
  // No lockout here: the property is about which credentials sign in, and a lockout would only
  // turn right passwords away.
  t = await startTestIdp({
    properties: { 'idp.login.maxFailures': '0', 'idp.login.maxFailuresPerAccount': '0' },
  });
});
afterAll(async () => t?.close());

const PASSWORDS = ACCOUNTS.map((a) => `demo-${a}`);

// Mostly near misses of one account's own credentials (where an inexact comparison would show),
// sometimes anything at all.
const attempt = fc
  .oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(...ACCOUNTS).chain((account) =>
        fc.record({
          username: fc.oneof(fc.constant(account), typedText([account])),
          password: fc.oneof(fc.constant(`demo-${account}`), typedText([`demo-${account}`])),
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.record({ username: typedText(ACCOUNTS), password: typedText(PASSWORDS) }),
    },
  )
  .chain((credentials) =>
    fc
      .record({ noise: formNoise('_eventId_proceed', ['_eventId_impersonate', '_eventId_cancel']) })
      .map((r) => ({ ...credentials, ...r })),
  );

/** The account a typed name stands for, by the documented rule; undefined when none. */
function accountOf(typed: string): string | undefined {
  const canonical = typed.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
  return (ACCOUNTS as readonly string[]).includes(canonical) ? canonical : undefined;
}

/** Who the IdP signed in, judging from the page after the login form. */
function signedInAs(page: Page): string | undefined {
  const released = releasedResponse(page);
  if (released) return released.statusCode === SAML_SUCCESS ? released.nameId : undefined;
  if (!page.html.querySelector('input[name=principal], select[name=principal]')) return undefined;
  // The impersonate form: "Signed in as <strong>name</strong>."
  const line = page.html.querySelectorAll('p').find((p) => p.text.includes('Signed in as'));
  return line?.querySelector('strong')?.text;
}

describe('the login form under fuzzing', () => {
  it(
    'signs in exactly the account whose exact password was typed, and never answers 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(attempt, async ({ username, password, noise }) => {
          const browser = new Browser();
          const login = await browser.get(ssoRedirectURL(t.baseURL, authnRequestXml()));
          expect(login.status).toBe(200);
          const form = browser.form(login);
          const fields: Record<string, string> = {
            ...form.fields,
            ...noise.extra,
            j_username: username,
            j_password: password,
          };
          if (noise.csrf === 'drop') delete fields.csrf_token;
          if (noise.csrf === 'alter') fields.csrf_token = `${fields.csrf_token ?? ''}x`;
          if (noise.button) fields[noise.button] = 'Login';
          const page = await browser.post(form.action, fields);
          expect(page.status, 'no login attempt may end in a server error').toBeLessThan(500);

          const account = accountOf(username);
          const exact =
            account !== undefined &&
            password === `demo-${account}` &&
            noise.csrf === 'keep' &&
            noise.button === '_eventId_proceed';
          const who = signedInAs(page);
          if (exact) expect(who, 'the right name and password sign in').toBe(account);
          else
            expect(
              who,
              `must not sign in: ${JSON.stringify({ username, password, noise })}`,
            ).toBeUndefined();
        }),
        {
          ...fuzzParameters(100),
          // Known near misses run first, whatever the seed: a trailing NUL is the same password to
          // scrypt's PBKDF2-HMAC (short HMAC keys are zero-padded).
          examples: [
            [
              {
                username: 'dave',
                password: 'demo-dave\u0000',
                noise: { button: '_eventId_proceed', csrf: 'keep', extra: {} },
              },
            ],
            [
              {
                username: 'alice',
                password: 'demo-alice\u0000\u0000',
                noise: { button: '_eventId_proceed', csrf: 'keep', extra: {} },
              },
            ],
          ],
        },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('leaves only whole audit lines behind', () => {
    expect(malformedAuditLines(t.auditRecords())).toEqual([]);
  });
});
