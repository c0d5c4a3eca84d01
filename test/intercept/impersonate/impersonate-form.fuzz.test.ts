/**
 * Fuzzing the impersonate form over HTTP (fast-check, fixed seed; see test/support/fuzz.ts): alice
 * (an impersonatableUsernames list) and erin (the help desk role, denied protected accounts) post
 * hostile names — case and width variants, look-alike letters, wildcards, NULs, invisible
 * characters, binary junk — with odd buttons, altered CSRF tokens and junk fields. Never a 5xx;
 * the service receives either the real user or an account the shipped policies let that user
 * impersonate there; every released response has exactly one new, whole audit line naming both;
 * "Impersonate" with an empty or blank name shows the form again (stricter than Shibboleth).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
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
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';

/** Whom each tester may impersonate at the demo SP under the shipped policies (conf/access-control). */
const ALLOWED: Record<string, readonly string[]> = {
  alice: ['bob', 'carol'],
  erin: ['alice', 'bob', 'carol', 'dave'], // the help desk: anyone at *.example.org but group:protected (admin)
};

let t: TestIdp;
const testers = new Map<string, Browser>();

beforeAll(async () => {
  t = await startTestIdp();
  for (const user of Object.keys(ALLOWED)) {
    const browser = new Browser();
    const login = await browser.get(ssoRedirectURL(t.baseURL, authnRequestXml()));
    const form = await browser.submit(
      login,
      { j_username: user, j_password: `demo-${user}` },
      '_eventId_proceed',
    );
    expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
    testers.set(user, browser);
  }
});
afterAll(async () => t?.close());

const submission = fc.record({
  tester: fc.constantFrom(...Object.keys(ALLOWED)),
  principal: typedText(ACCOUNTS),
  noise: formNoise('_eventId_impersonate', ['_eventId_proceed', '_eventId_cancel']),
});

/** "Impersonate" pressed with the CSRF token kept and no junk fields. */
const IMPERSONATE = { button: '_eventId_impersonate', csrf: 'keep' as const, extra: {} };

describe('the impersonate form under fuzzing', () => {
  /** How the runs ended, so the property cannot pass by never reaching an impersonation. */
  const outcomes = { impersonated: 0, asThemself: 0, refused: 0, blank: 0 };

  it(
    'releases only the real user or an account the policies allow, audited, and never answers 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(submission, async ({ tester, principal, noise }) => {
          const browser = testers.get(tester)!;
          const formPage = await browser.get(ssoRedirectURL(t.baseURL, authnRequestXml()));
          expect(formPage.status).toBe(200);
          const form = browser.form(formPage);
          const fields: Record<string, string> = { ...form.fields, ...noise.extra, principal };
          if (noise.csrf === 'drop') delete fields.csrf_token;
          if (noise.csrf === 'alter') fields.csrf_token = `${fields.csrf_token ?? ''}x`;
          if (noise.button) fields[noise.button] = 'x';
          const linesBefore = t.auditRecords().length;

          const page = await browser.post(form.action, fields);
          expect(page.status, 'no form post may end in a server error').toBeLessThan(500);
          const released = releasedResponse(page);
          if (
            noise.button === '_eventId_impersonate' &&
            noise.csrf === 'keep' &&
            principal.normalize('NFKC').trim() === ''
          ) {
            // Stricter than Shibboleth: "Impersonate" with no name asks again, never proceeds.
            expect(released, `${tester} typed ${JSON.stringify(principal)}`).toBeUndefined();
            expect(page.html.querySelector('.error')?.text).toBe('Enter an account name.');
            outcomes.blank++;
          }
          if (!released || released.statusCode !== SAML_SUCCESS) {
            outcomes.refused++;
            return;
          }

          const effective = released.nameId!;
          outcomes[effective === tester ? 'asThemself' : 'impersonated']++;
          expect(
            [tester, ...ALLOWED[tester]!],
            `${tester} typed ${JSON.stringify(principal)}`,
          ).toContain(effective);
          // The form's own records (the choice) come first; one release per released response.
          const releases = t
            .auditRecords()
            .slice(linesBefore)
            .map(auditRecord)
            .filter((r) => r.act === 'release');
          expect(releases.length, 'exactly one release record per released response').toBe(1);
          expect(releases[0]).toMatchObject({
            u: effective,
            uu: effective === tester ? '' : tester,
            i: released.assertionId,
          });
        }),
        {
          ...fuzzParameters(100),
          // An empty and a blank name run first, whatever the seed.
          examples: [
            [{ tester: 'alice', principal: '', noise: IMPERSONATE }],
            [{ tester: 'erin', principal: ' \u3000', noise: IMPERSONATE }],
          ],
        },
      );
      expect(outcomes.impersonated, JSON.stringify(outcomes)).toBeGreaterThan(0);
      expect(outcomes.asThemself, JSON.stringify(outcomes)).toBeGreaterThan(0);
      expect(outcomes.refused, JSON.stringify(outcomes)).toBeGreaterThan(0);
      expect(outcomes.blank, JSON.stringify(outcomes)).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it('leaves only whole audit lines behind', () => {
    expect(malformedAuditLines(t.auditRecords())).toEqual([]);
  });
});
