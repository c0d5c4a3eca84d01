/**
 * One virtual user of the SSO benchmark: a cookie jar (honouring Path, as a browser does) over a
 * shared keep-alive agent, requests without automatic redirects, and the few page readers the
 * flows need. Lean on purpose: the load generator shares the machine with the IdP it measures.
 */
import http from 'node:http';

export interface Answer {
  readonly status: number;
  readonly location?: string;
  readonly body: string;
}

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

export class HttpUser {
  private cookies: Cookie[] = [];

  constructor(
    private readonly agent: http.Agent,
    private readonly origin: string,
  ) {}

  get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send('GET', url, undefined, headers);
  }

  postForm(
    url: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    return this.send('POST', url, new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });
  }

  /** GETs redirect after redirect until a page, or until a Location outside the IdP (returned as is). */
  async follow(answer: Answer): Promise<Answer> {
    let current = answer;
    for (
      let hops = 0;
      hops < 10 && current.location && current.status >= 300 && current.status < 400;
      hops++
    ) {
      const next = new URL(current.location, this.origin);
      if (next.origin !== this.origin) return current;
      current = await this.get(next.toString());
    }
    return current;
  }

  private send(
    method: string,
    url: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<Answer> {
    const target = new URL(url, this.origin);
    const cookie = this.cookieHeader(target.pathname);
    return new Promise((resolve, reject) => {
      const req = http.request(
        target,
        {
          method,
          agent: this.agent,
          headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            this.store(res.headers['set-cookie'] ?? []);
            resolve({
              status: res.statusCode ?? 0,
              location: res.headers.location,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private cookieHeader(pathname: string): string {
    return this.cookies
      .filter(
        (c) =>
          pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired =
        attributes.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()) ||
        attributes.some((a) => /^max-age=0$/i.test(a));
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired) this.cookies.push({ name, value, path });
    }
  }
}

/** The value of a hidden or text input in a page. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  const value = tag && /value="([^"]*)"/.exec(tag)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

export function formAction(html: string): string | undefined {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  return action === undefined ? undefined : decodeEntities(action);
}

function decodeEntities(text: string): string {
  return text.replace(
    /&(#(\d+)|#x([0-9a-f]+)|amp|lt|gt|quot|apos);/gi,
    (_m, _all: string, dec?: string, hex?: string) => {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
      return (
        { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" }[
          _m.toLowerCase()
        ] ?? _m
      );
    },
  );
}
