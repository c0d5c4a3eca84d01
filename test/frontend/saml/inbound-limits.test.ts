/**
 * Bounded and strict at the door: malformed SAML requests of every kind get a 4xx page with a
 * clear message (never a 500), sizes are capped before parsing, validation starts no threads, and
 * the admission cap answers 503 at once when it is full.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { deflateRawSync } from 'node:zlib';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { authnRequestXml, deflateParam, postFields } from '../../support/saml-messages.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { hasSamlResponse, TestSp } from '../../support/test-sp.js';

const DEMO_SP = 'https://sp.demo.example.org/shibboleth';
const POST_PATH = '/idp/profile/SAML2/POST/SSO';
const REDIRECT_PATH = '/idp/profile/SAML2/Redirect/SSO';

let t: TestIdp;

beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

async function send(
  path: string,
  init: { method?: string; body?: string | Buffer; contentType?: string } = {},
) {
  const headers: Record<string, string> = { accept: 'text/html' };
  if (init.contentType) headers['content-type'] = init.contentType;
  const body =
    typeof init.body === 'string' || init.body === undefined
      ? init.body
      : new Uint8Array(init.body);
  const res = await fetch(`${t.baseURL}${path}`, {
    method: init.method ?? 'POST',
    headers,
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text, html: parse(text) };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const demoRequest = (extra = '') => authnRequestXml({ issuer: DEMO_SP, attributes: extra });

describe('no HTTP 500 on input: a 4xx page with a clear message', () => {
  it.each([
    ['a POST with no body', {}, 400, /no form body \(SAMLRequest is missing\)/],
    [
      'a JSON body',
      {
        body: JSON.stringify({ SAMLRequest: b64(demoRequest()) }),
        contentType: 'application/json',
      },
      400,
      /application\/x-www-form-urlencoded form, not "application\/json"/,
    ],
    [
      'a text body',
      { body: 'SAMLRequest=abc', contentType: 'text/plain' },
      400,
      /not "text\/plain"/,
    ],
    [
      'an empty form',
      { body: '', contentType: 'application/x-www-form-urlencoded' },
      400,
      /no SAMLRequest parameter/,
    ],
    [
      'a form in another charset',
      {
        body: form({ SAMLRequest: b64(demoRequest()) }),
        contentType: 'application/x-www-form-urlencoded; charset=iso-8859-1',
      },
      400,
      /must be UTF-8, not "iso-8859-1"/,
    ],
    [
      'malformed base64',
      {
        body: form({ SAMLRequest: '!!!not*base64***' }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /SAMLRequest is not base64/,
    ],
    [
      'base64 of something that is neither XML nor deflated',
      {
        body: form({ SAMLRequest: b64('hello world') }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /neither XML nor DEFLATE-compressed XML/,
    ],
    [
      'SAMLRequest given twice',
      {
        body: `${form({ SAMLRequest: b64(demoRequest()) })}&${form({ SAMLRequest: b64(demoRequest()) })}`,
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /SAMLRequest is given more than once in the form body/,
    ],
    [
      'an over-long RelayState',
      {
        body: form({ SAMLRequest: b64(demoRequest()), RelayState: 'r'.repeat(1025) }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /RelayState is longer than 1024 characters/,
    ],
    [
      'percent-encoded bytes that are not UTF-8',
      {
        body: `${form({ SAMLRequest: b64(demoRequest()) })}&RelayState=%FF%FE`,
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /RelayState in the form body is not valid percent-encoded UTF-8/,
    ],
    [
      'raw bytes that are not URL-encoded',
      {
        body: Buffer.concat([
          Buffer.from(`${form({ SAMLRequest: b64(demoRequest()) })}&RelayState=`),
          Buffer.from([0xff, 0xfe]),
        ]),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /contains characters that are not URL-encoded/,
    ],
    [
      'XML that is not UTF-8',
      {
        body: form({
          SAMLRequest: b64(
            Buffer.from(demoRequest().replace('<saml:Issuer>', '<saml:Issuer>\u00e9'), 'latin1'),
          ),
        }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /AuthnRequest is not UTF-8 text/,
    ],
    [
      'XML declaring another encoding',
      {
        body: form({
          SAMLRequest: b64(`<?xml version="1.0" encoding="ISO-8859-1"?>${demoRequest()}`),
        }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /declares encoding "ISO-8859-1"; only UTF-8/,
    ],
    [
      'a DTD',
      {
        body: form({ SAMLRequest: b64(`<!DOCTYPE x [<!ENTITY e "x">]>${demoRequest()}`) }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /contains a DTD/,
    ],
    [
      'a processing instruction',
      {
        body: form({
          SAMLRequest: b64(
            demoRequest().replace('<saml:Issuer>', '<?xml-stylesheet href="x"?><saml:Issuer>'),
          ),
        }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /contains a processing instruction/,
    ],
    [
      'XML that is not well-formed',
      {
        body: form({
          SAMLRequest: b64(
            '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">',
          ),
        }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /not well-formed XML/,
    ],
    [
      'XML that is not valid SAML',
      {
        body: form({ SAMLRequest: b64(demoRequest().replace(' Version="2.0"', '')) }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /not valid SAML 2\.0 \(.*'Version' is required but missing/,
    ],
    [
      'more namespace declarations than any request needs',
      {
        body: form({
          SAMLRequest: b64(
            demoRequest(Array.from({ length: 60 }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join('')),
          ),
        }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /declares 6\d namespaces; at most 50 are accepted/,
    ],
    [
      'more elements than any request has',
      {
        body: form({
          SAMLRequest: b64(
            authnRequestXml({
              issuer: DEMO_SP,
              extensions: `<x:list xmlns:x="urn:x">${'<x:e/>'.repeat(600)}</x:list>`,
            }),
          ),
        }),
        contentType: 'application/x-www-form-urlencoded',
      },
      400,
      /has 60\d elements; at most 256 are accepted/,
    ],
    [
      'an XML message larger than the limit',
      {
        body: form({ SAMLRequest: b64(demoRequest(` x="${'a'.repeat(40_000)}"`)) }),
        contentType: 'application/x-www-form-urlencoded',
      },
      413,
      /SAMLRequest is larger than|AuthnRequest is larger than/,
    ],
    [
      'a body larger than the limit',
      {
        body: form({ SAMLRequest: 'A'.repeat(300_000) }),
        contentType: 'application/x-www-form-urlencoded',
      },
      413,
      /request body is larger than/,
    ],
  ] as const)('POST binding: %s', async (_what, init, status, detail) => {
    const page = await send(POST_PATH, init);
    expect(page.status, page.body.slice(0, 600)).toBe(status);
    expect(page.html.querySelector('h1')?.text).toBe('Invalid Request');
    expect(page.html.querySelector('.detail')?.text).toMatch(detail);
  });

  it.each([
    [
      'percent-encoding that is not UTF-8',
      `SAMLRequest=${deflateParam(demoRequest())}&RelayState=%C3%28`,
      400,
      /RelayState in the query string is not valid percent-encoded UTF-8/,
    ],
    [
      'a parameter name spelt percent-encoded',
      `SAML%52equest=${deflateParam(demoRequest())}`,
      400,
      /spells the parameter name SAMLRequest percent-encoded/,
    ],
    [
      'base64 that is not deflated',
      `SAMLRequest=${encodeURIComponent(b64(demoRequest()))}`,
      400,
      /SAMLRequest is not DEFLATE-compressed/,
    ],
    [
      'a deflate bomb',
      `SAMLRequest=${encodeURIComponent(deflateRawSync(demoRequest(` x="${'a'.repeat(5_000_000)}"`)).toString('base64'))}`,
      413,
      /AuthnRequest is larger than 32768 bytes/,
    ],
  ] as const)('Redirect binding: %s', async (_what, query, status, detail) => {
    const page = await send(`${REDIRECT_PATH}?${query}`, { method: 'GET' });
    expect(page.status, page.body.slice(0, 600)).toBe(status);
    expect(page.html.querySelector('.detail')?.text).toMatch(detail);
  });

  it('still accepts a plain (not deflated) POST-binding request, and one with an XML declaration', async () => {
    for (const xml of [demoRequest(), `<?xml version="1.0" encoding="UTF-8"?>\n${demoRequest()}`]) {
      const page = await new Browser().post(`${t.baseURL}${POST_PATH}`, postFields(xml));
      expect(page.status).toBe(200);
      expect(page.html.querySelector('input[name=j_password]')).not.toBeNull();
    }
  });
});

describe('schema validation', () => {
  it('starts no threads, however many requests are validated at once', async () => {
    const sp = await TestSp.create(t.baseURL, { postBinding: true });
    const forms = await Promise.all(Array.from({ length: 40 }, () => sp.loginForm()));
    const postOne = (fields: Record<string, string>) =>
      new Browser().post(`${t.baseURL}${POST_PATH}`, fields, false);
    expect((await postOne(forms.pop()!)).status).toBe(303); // warm-up: libuv's pool, SQLite, log files
    const before = threads();
    let most = before;
    const sampler = setInterval(() => (most = Math.max(most, threads())), 1);
    const pages = await Promise.all(forms.map(postOne));
    clearInterval(sampler);
    most = Math.max(most, threads());
    expect(pages.map((p) => p.status)).toEqual(forms.map(() => 303));
    expect(most).toBeLessThanOrEqual(before + 1);
  });
});

/** Threads of this process (the IdP runs in it). */
function threads(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

describe('admission cap and body deadline', () => {
  let small: TestIdp;
  beforeAll(async () => {
    small = await startTestIdp({
      properties: { 'idp.saml.inbound.maxConcurrent': '1', 'idp.saml.inbound.bodyTimeout': 'PT1S' },
    });
  });
  afterAll(async () => small?.close());

  /** A POST whose body has not arrived (yet): it holds its place under the cap. */
  function slowPost(): Promise<{ socket: Socket; response: Promise<string> }> {
    const { hostname, port } = new URL(small.baseURL);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          `POST ${POST_PATH} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nSAMLRequest=`,
        );
        const response = new Promise<string>((done) => {
          let text = '';
          socket.on('data', (d) => (text += d.toString()));
          socket.on('close', () => done(text));
        });
        resolve({ socket, response });
      });
    });
  }

  it('answers 503 with Retry-After at once while the cap is full, and admits again when a place is free', async () => {
    const sp = await TestSp.create(small.baseURL);
    const held = await slowPost();
    await new Promise((r) => setTimeout(r, 100)); // the IdP has admitted it and waits for its body
    let heldAnswered = false;
    void held.response.then(() => (heldAnswered = true));

    const refused = await new Browser().get(await sp.loginURL());
    expect(heldAnswered).toBe(false); // refused while the held request is still open: not queued behind it
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.html.querySelector('h1')?.text).toBe('Temporarily Busy');
    expect(refused.body).toContain('Wait a few seconds');
    expect(hasSamlResponse(refused)).toBe(false);
    expect((await new Browser().get(await sp.loginURL())).status).toBe(503);
    // The same request to the same endpoint spelt with a trailing slash is no way round the cap.
    const slashed = await sp.loginURL();
    expect((await new Browser().get(slashed.replace('/SSO?', '/SSO/?'))).status).toBe(503);
    // A flood of refusals is one WARN with a count, not a line per request.
    await expect
      .poll(() => small.processLog())
      .toMatch(
        /WARN .*REQUEST_CAPACITY_EXCEEDED: more than 1 SAML requests are being processed at once/,
      );
    expect(small.processLog().match(/REQUEST_CAPACITY_EXCEEDED/g)).toHaveLength(1);

    held.socket.end('x'.repeat(88));
    expect(await held.response).toMatch(/^HTTP\/1\.1 400/);
    const admitted = await new Browser().get(await sp.loginURL());
    expect(admitted.status).toBe(200);
    expect(admitted.html.querySelector('input[name=j_password]')).not.toBeNull();
  });

  it('refuses a body that does not arrive within idp.saml.inbound.bodyTimeout (408) and frees its place', async () => {
    const held = await slowPost();
    const answer = await held.response; // the IdP closes the connection after its answer
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toMatch(/Connection: close/i);
    expect(answer).toContain('took longer than 1000 ms');
    const sp = await TestSp.create(small.baseURL);
    expect((await new Browser().get(await sp.loginURL())).status).toBe(200);
  });
});
