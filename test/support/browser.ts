/**
 * A minimal browser for HTTP-level tests: a cookie jar (per host, honouring Path), manual
 * redirects, and form submission from parsed HTML — so a test drives the IdP exactly as a person's
 * browser would, button by button.
 */
import { request as httpRequest } from 'node:http';
import { parse, type HTMLElement } from 'node-html-parser';

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export interface Page {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly html: HTMLElement;
}

export interface FormData {
  readonly action: string;
  readonly fields: Record<string, string>;
}

export interface BrowserOptions {
  /**
   * Local address to connect from (any 127.0.0.0/8 address works on Linux loopback), so that
   * tests can be different clients by address, as the IdP sees them (req.ip).
   */
  readonly localAddress?: string;
  /** Headers sent with every request (e.g. a forged X-Forwarded-For). */
  readonly headers?: Record<string, string>;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly setCookies: string[];
  readonly text: string;
}

export class Browser {
  private readonly jar = new Map<string, StoredCookie[]>();

  constructor(private readonly options: BrowserOptions = {}) {}

  /** Redirects to URLs starting with one of these are not followed: the page is the redirect. */
  readonly stopAt: string[] = [];

  /** GET, following redirects (303/302/301) until a page. */
  async get(url: string): Promise<Page> {
    return this.request(url, { method: 'GET' });
  }

  async post(url: string, fields: Record<string, string>, follow = true): Promise<Page> {
    return this.request(
      url,
      {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        contentType: 'application/x-www-form-urlencoded',
      },
      follow,
    );
  }

  /** The form in a page (the first, or the one matching `selector`), with its current values. */
  form(page: Page, selector = 'form'): FormData {
    const form = page.html.querySelector(selector);
    if (!form)
      throw new Error(
        `no ${selector} in page ${page.url} (status ${page.status}):\n${page.body.slice(0, 2000)}`,
      );
    const fields: Record<string, string> = {};
    for (const input of form.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      const type = (input.getAttribute('type') ?? 'text').toLowerCase();
      if (!name || type === 'submit' || type === 'button') continue;
      // As a browser does: only the checked one of a radio group or a checkbox is sent.
      if ((type === 'radio' || type === 'checkbox') && !input.hasAttribute('checked')) continue;
      fields[name] = input.getAttribute('value') ?? '';
    }
    for (const area of form.querySelectorAll('textarea')) {
      const name = area.getAttribute('name');
      if (name) fields[name] = area.text;
    }
    for (const select of form.querySelectorAll('select')) {
      const name = select.getAttribute('name');
      // As a browser does: the selected option, else the first.
      const option = select.querySelector('option[selected]') ?? select.querySelector('option');
      if (name && option) fields[name] = option.getAttribute('value') ?? option.text;
    }
    return {
      action: new URL(form.getAttribute('action') ?? page.url, page.url).toString(),
      fields,
    };
  }

  /** Fills in and submits a page's form by pressing the button named `button`. */
  async submit(
    page: Page,
    values: Record<string, string>,
    button?: string,
    follow = true,
  ): Promise<Page> {
    const form = this.form(page);
    const fields = { ...form.fields, ...values };
    if (button) fields[button] = button;
    return this.post(form.action, fields, follow);
  }

  cookies(url: string): StoredCookie[] {
    return this.jar.get(new URL(url).host) ?? [];
  }

  private async request(
    url: string,
    init: { method: string; body?: string; contentType?: string },
    follow = true,
  ): Promise<Page> {
    let current = url;
    let method = init.method;
    let body = init.body;
    for (let hops = 0; hops < 10; hops++) {
      const headers: Record<string, string> = { accept: 'text/html', ...this.options.headers };
      const cookie = this.cookieHeader(current);
      if (cookie) headers.cookie = cookie;
      if (body !== undefined && init.contentType) headers['content-type'] = init.contentType;
      const res = await this.send(current, method, headers, body);
      this.store(current, res.setCookies);
      const location = res.headers.get('location');
      const stop =
        location &&
        this.stopAt.some((prefix) => new URL(location, current).toString().startsWith(prefix));
      if (follow && location && !stop && res.status >= 300 && res.status < 400) {
        current = new URL(location, current).toString();
        method = 'GET';
        body = undefined;
        continue;
      }
      return {
        url: current,
        status: res.status,
        headers: res.headers,
        body: res.text,
        html: parse(res.text),
      };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** One request on the wire (a subclass may send it elsewhere: test/support/cluster.ts). */
  protected async send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<RawResponse> {
    const localAddress = this.options.localAddress;
    if (!localAddress) {
      const res = await fetch(url, { method, headers, body, redirect: 'manual' });
      return {
        status: res.status,
        headers: res.headers,
        setCookies: res.headers.getSetCookie(),
        text: await res.text(),
      };
    }
    // fetch cannot choose its local address; node:http can.
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method, headers, localAddress }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined || name === 'set-cookie') continue;
            h.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: h,
            setCookies: res.headers['set-cookie'] ?? [],
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private cookieHeader(url: string): string {
    const { host, pathname } = new URL(url);
    return (this.jar.get(host) ?? [])
      .filter(
        (c) =>
          pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(url: string, setCookies: string[]): void {
    const { host } = new URL(url);
    const cookies = this.jar.get(host) ?? [];
    for (const header of setCookies) {
      const [pair, ...attrs] = header.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attrs.some(
        (a) => /^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now(),
      );
      const rest = cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired) rest.push({ name, value, path });
      cookies.splice(0, cookies.length, ...rest);
    }
    this.jar.set(host, cookies);
  }
}

/**
 * Where a page that moves the browser on by itself sends it (views/saml/logout-onward.ejs: a link
 * the page's own script follows), as a browser reads the link's href.
 */
export function onwardURL(page: Page): string {
  const link = page.html.querySelector('a#onward');
  if (page.status !== 200 || !link || !page.body.includes("getElementById('onward')"))
    throw new Error(`not an onward page (status ${page.status}): ${page.body.slice(0, 1500)}`);
  return link.getAttribute('href')!;
}
