/**
 * Fuzzing SAML decoding over HTTP (fast-check, fixed seed; see test/support/fuzz.ts): hostile
 * AuthnRequests — odd field values, then inserted, deleted and duplicated bytes — on both
 * bindings, in valid and broken encodings, with and without an IdP session. Whatever arrives:
 * never a 5xx; no Success response without a signed-in user; a released response is for the
 * signed-in user, goes only to the configured ACS and has its one whole audit line.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../../support/browser.js';
import {
  DEMO_ACS,
  encodeSamlRequest,
  fuzzParameters,
  hostileAuthnRequest,
  malformedAuditLines,
  releasedResponse,
  SAML_SUCCESS,
  samlRequestEncoding,
  ssoRedirectURL,
  authnRequestXml,
  FUZZ_TIMEOUT_MS,
} from '../../support/fuzz.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';

let t: TestIdp;
let dave: Browser;

beforeAll(async () => {
  t = await startTestIdp();
  dave = new Browser();
  const login = await dave.get(ssoRedirectURL(t.baseURL, authnRequestXml()));
  const signedIn = await dave.submit(
    login,
    { j_username: 'dave', j_password: 'demo-dave' },
    '_eventId_proceed',
  );
  expect(releasedResponse(signedIn)?.nameId).toBe('dave');
});
afterAll(async () => t?.close());

const relayState = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 40 }),
  fc.constant('r'.repeat(2000)),
);
const junkParameters = fc.dictionary(
  fc.constantFrom('SigAlg', 'Signature', 'SAMLRequest', 'RelayState', 'execution', 'x'),
  fc.string({ maxLength: 20 }),
  { maxKeys: 2 },
);

const redirectCase = fc.record({
  xml: hostileAuthnRequest,
  encoding: samlRequestEncoding,
  relayState,
  junk: junkParameters,
});
const postCase = fc.record({
  xml: hostileAuthnRequest,
  encoding: samlRequestEncoding,
  relayState,
  contentType: fc.constantFrom(
    'application/x-www-form-urlencoded',
    'text/plain',
    'application/json',
    'multipart/form-data; boundary=x',
    undefined,
  ),
  emptyBody: fc.boolean(),
});

type Generated<A> = A extends fc.Arbitrary<infer V> ? V : never;

function redirectURL(c: Generated<typeof redirectCase>): string {
  const query = new URLSearchParams({ SAMLRequest: encodeSamlRequest(c.xml, c.encoding) });
  if (c.relayState !== undefined) query.append('RelayState', c.relayState);
  for (const [k, v] of Object.entries(c.junk)) query.append(k, v);
  return `${t.baseURL}/idp/profile/SAML2/Redirect/SSO?${query.toString()}`;
}

async function postCaseResponse(
  c: Generated<typeof postCase>,
  browser: Browser,
): Promise<Page | { status: number }> {
  const fields: Record<string, string> = { SAMLRequest: encodeSamlRequest(c.xml, c.encoding) };
  if (c.relayState !== undefined) fields.RelayState = c.relayState;
  const url = `${t.baseURL}/idp/profile/SAML2/POST/SSO`;
  if (c.contentType === 'application/x-www-form-urlencoded' && !c.emptyBody)
    return browser.post(url, fields);
  const body = c.emptyBody
    ? undefined
    : c.contentType === 'application/json'
      ? JSON.stringify(fields)
      : new URLSearchParams(fields).toString();
  const res = await fetch(url, {
    method: 'POST',
    headers: c.contentType ? { 'content-type': c.contentType } : {},
    body,
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return { status: res.status };
}

/** What any answer to any request must satisfy; `user` is who is signed in, if anyone. */
function checkAnswer(page: Page | { status: number }, user: string | undefined): void {
  expect(page.status, 'no request may end in a server error').toBeLessThan(500);
  if (!('html' in page)) return;
  const released = releasedResponse(page);
  if (!released) return;
  expect(released.formAction, 'responses only ever go to the configured ACS').toBe(DEMO_ACS);
  expect(released.destination).toBe(DEMO_ACS);
  if (released.statusCode !== SAML_SUCCESS) return;
  expect(user, 'a Success response needs a signed-in user').toBeDefined();
  expect(released.nameId).toBe(user);
  const records = t.auditRecords();
  const last = auditRecord(records[records.length - 1]!);
  expect(last).toMatchObject({ u: user, uu: '', i: released.assertionId });
}

describe('SAML decoding under fuzzing', () => {
  it(
    'Redirect binding, no session: never a 5xx, never a Success response',
    async () => {
      await fc.assert(
        fc.asyncProperty(redirectCase, async (c) => {
          checkAnswer(await new Browser().get(redirectURL(c)), undefined);
        }),
        fuzzParameters(120),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'POST binding, no session, any body: never a 5xx, never a Success response',
    async () => {
      await fc.assert(
        fc.asyncProperty(postCase, async (c) => {
          checkAnswer(await postCaseResponse(c, new Browser()), undefined);
        }),
        fuzzParameters(120),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'both bindings with a signed-in user: a released response is that user’s, to the configured ACS, audited',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            redirectCase.map((c) => ({ redirect: c })),
            postCase.map((c) => ({ post: c })),
          ),
          async (c) => {
            const page =
              'redirect' in c
                ? await dave.get(redirectURL(c.redirect))
                : await postCaseResponse(c.post, dave);
            checkAnswer(page, 'dave');
          },
        ),
        fuzzParameters(120),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('leaves only whole audit lines behind', () => {
    const lines = t.auditRecords();
    expect(lines.length).toBeGreaterThan(0);
    expect(malformedAuditLines(lines)).toEqual([]);
  });
});
