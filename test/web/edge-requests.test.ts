/**
 * No 500 on input (issue 7, item 5): odd spellings of the IdP's paths, malformed encodings, odd
 * methods, bodies that are too large or in the wrong format, repeated parameters — each gets a
 * 4xx page that says what was wrong, and a form that gets a malformed post can still be used.
 * Addresses are case-sensitive (as Shibboleth's and as cookie paths are): /IDP/… is not /idp/….
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import { Browser, type Page } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { hasSamlResponse, TestSp } from '../support/test-sp.js';

let t: TestIdp;
let sp: TestSp;

beforeAll(async () => {
  t = await startTestIdp();
  sp = await TestSp.create(t.baseURL);
});
afterAll(async () => t?.close());

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  title: string | undefined;
}

async function send(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${t.baseURL}${path}`, {
    redirect: 'manual',
    ...init,
    headers: { accept: 'text/html', ...(init.headers as Record<string, string>) },
  });
  const body = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body,
    title: parse(body).querySelector('h1')?.text,
  };
}

function cookieOf(browser: Browser): string {
  return browser
    .cookies(t.baseURL)
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

/** A browser on the login form of a fresh SAML request. */
async function onLoginForm(): Promise<{ browser: Browser; page: Page; path: string }> {
  const browser = new Browser();
  const page = await browser.get(await sp.loginURL());
  const action = new URL(browser.form(page).action);
  return { browser, page, path: action.pathname + action.search };
}

describe('case-sensitive addresses', () => {
  it('serves each endpoint at its own spelling and 404s the others, with or without a session', async () => {
    const browser = new Browser();
    const login = await browser.get(await sp.loginURL());
    await browser.submit(
      login,
      { j_username: 'dave', j_password: 'demo-dave' },
      '_eventId_proceed',
    );
    const cookie = cookieOf(browser);
    const sso = new URL(await sp.loginURL());
    const endpoints = [
      ['/idp/profile/SAML2/Redirect/SSO', sso.search, 200],
      ['/idp/shibboleth', '', 200],
      ['/idp/profile/oidc/interaction/unknown', '', 400], // stale: no such authorization
      ['/idp/profile/admin/access-control', '', 200],
      ['/idp', '', 200],
    ] as const;
    for (const [path, query, status] of endpoints) {
      expect((await send(`${path}${query}`, { headers: { cookie } })).status, path).toBe(status);
      const variants = [
        path.replace('/idp', '/IDP'),
        path.replace('/idp', '/iDp'),
        path === '/idp' ? '/Idp' : path.toLowerCase().replace('/idp', '/IDP'),
      ];
      if (path.toLowerCase() !== path) variants.push(path.toLowerCase());
      for (const variant of variants) {
        // The browser's cookie (Path=/idp) is sent as if it matched, to be sure no spelling gets
        // a handler without the session middleware.
        const answer = await send(`${variant}${query}`, { headers: { cookie } });
        expect(answer.status, variant).toBe(404);
        expect(answer.title, variant).toBe('Not Found');
        expect(answer.body).toContain('case-sensitive');
      }
    }
  });
});

describe('malformed addresses', () => {
  it('answers 400 to a path parameter that is not valid percent-encoding', async () => {
    const answer = await send('/idp/profile/oidc/interaction/%E0%A4%A');
    expect(answer.status).toBe(400);
    expect(answer.title).toBe('Invalid Request');
  });

  it('answers 431 with a page to an address longer than the server accepts', async () => {
    const answer = await send(`/idp/profile/SAML2/Redirect/SSO?SAMLRequest=${'A'.repeat(20_000)}`);
    expect(answer.status).toBe(431);
    expect(answer.title).toBe('Request Too Large');
    expect(answer.headers.get('content-type')).toContain('text/html');
  });

  it('answers 400 with a page to bytes that are not HTTP', async () => {
    const { port } = new URL(t.baseURL);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('HELLO THERE\r\n\r\n'));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('<h1>Invalid Request</h1>');
  });

  it('refuses a parameter given twice', async () => {
    const { browser, path } = await onLoginForm();
    const answer = await send(`${path}&execution=other`, {
      headers: { cookie: cookieOf(browser) },
    });
    expect(answer.status).toBe(400);
    expect(answer.title).toBe('Invalid Request');
    expect(answer.body).toContain('the parameter execution is given more than once');
    const twice = await send(`/idp/profile/SAML2/Redirect/SSO?SAMLRequest=a&SAMLRequest=b`);
    expect(twice.status).toBe(400);
    expect(twice.body).toContain('the parameter SAMLRequest is given more than once');
  });

  it('treats a malformed or oversized execution key as stale', async () => {
    for (const key of ['x', 'e'.repeat(5_000), '%00', 'e<script>']) {
      const answer = await send(
        `/idp/profile/SAML2/Redirect/SSO?execution=${encodeURIComponent(key)}`,
      );
      expect(answer.status, key).toBe(400);
      expect(answer.title, key).toBe('Stale Request');
    }
  });
});

describe('methods', () => {
  const paths = [
    '/',
    '/idp',
    '/idp/shibboleth',
    '/idp/css/idp.css',
    '/idp/profile/SAML2/Redirect/SSO',
    '/idp/profile/SAML2/POST/SSO',
    '/idp/profile/oidc/interaction/x',
    '/idp/profile/admin/access-control',
    '/idp/profile/admin/access-control/reload',
    '/.well-known/openid-configuration',
    '/idp/profile/oidc/keyset',
  ];
  it.each(['HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'])(
    'answers %s on every route without a server error',
    async (method) => {
      for (const path of paths)
        expect((await send(path, { method })).status, `${method} ${path}`).toBeLessThan(500);
    },
  );

  it('resumes a form only with GET or POST', async () => {
    const answer = await send(
      '/idp/profile/oidc/interaction/x?execution=eAAAAAAAAAAAAAAAAAAAAAAAA',
      { method: 'PUT', body: 'a=b' },
    );
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, POST');
    expect(answer.title).toBe('Invalid Request');
  });
});

describe('form bodies', () => {
  async function post(
    path: string,
    browser: Browser,
    body: string | Buffer,
    headers: Record<string, string>,
  ) {
    return send(path, {
      method: 'POST',
      body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
      headers: {
        cookie: cookieOf(browser),
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
    });
  }

  /** After a malformed post the form still signs in: nothing was lost. */
  async function stillWorks(browser: Browser, page: Page) {
    const after = await browser.submit(
      page,
      { j_username: 'dave', j_password: 'demo-dave' },
      '_eventId_proceed',
    );
    expect(hasSamlResponse(after)).toBe(true);
  }

  it('answers 413 to a body over the limit', async () => {
    const { browser, page, path } = await onLoginForm();
    const answer = await post(path, browser, `j_username=${'x'.repeat(200_000)}`, {});
    expect(answer.status).toBe(413);
    expect(answer.title).toBe('Request Too Large');
    await stillWorks(browser, page);
  });

  it('answers 415 to a charset it does not read', async () => {
    const { browser, page, path } = await onLoginForm();
    const answer = await post(path, browser, 'a=b', {
      'content-type': 'application/x-www-form-urlencoded; charset=koi8-r',
    });
    expect(answer.status).toBe(415);
    expect(answer.title).toBe('Invalid Request');
    await stillWorks(browser, page);
  });

  it.each([
    ['gzip', gzipSync('a=b').subarray(0, 8)],
    ['br', Buffer.from('not brotli')],
    ['deflate', Buffer.from('not deflate')],
  ])('answers 400 to a %s body that does not inflate', async (encoding, body) => {
    const { browser, page, path } = await onLoginForm();
    const answer = await post(path, browser, body, { 'content-encoding': encoding });
    expect(answer.status).toBe(400);
    expect(answer.title).toBe('Invalid Request');
    await stillWorks(browser, page);
  });

  it('refuses a field sent twice, and the form still works', async () => {
    const { browser, page, path } = await onLoginForm();
    const fields = browser.form(page).fields;
    const body = `${new URLSearchParams({ ...fields, j_username: 'dave', _eventId_proceed: 'x' }).toString()}&j_password=demo-dave&j_password=other`;
    const answer = await post(path, browser, body, {});
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('the form field &#34;j_password&#34; was sent more than once');
    await stillWorks(browser, page);
  });

  it('rejects a body that is not a form as an unverifiable form', async () => {
    const { browser, path } = await onLoginForm();
    const answer = await post(path, browser, '{"j_username":"dave"}', {
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(403);
    expect(answer.title).toBe('Form Rejected');
  });
});
