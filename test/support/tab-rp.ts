/**
 * An OpenID Connect relying party that a real browser can use in several tabs at once: each
 * `GET /start` begins its own authorization (openid-client builds it, PKCE and state), kept by its
 * `state`, so every tab's callback redeems its own code — unlike the demo client, which keeps one
 * sign-in per browser in a cookie. The callback page shows the ID token's `sub` (#sub) or the error
 * (#error), and every outcome is kept for the test to check.
 */
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tokenHash } from '../../src/frontend/oidc/oidc-audit.js';
import { TestRp, type PendingAuthorization } from './test-rp.js';

export interface TabOutcome {
  readonly state: string;
  readonly sub?: string;
  readonly error?: string;
  /** Hashes as the audit log's %i holds them: of the code, and of the ID token. */
  readonly codeHash?: string;
  readonly idTokenHash?: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class TabRp {
  readonly outcomes: TabOutcome[] = [];
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly server: Server = createServer(
    (req, res) => void this.handle(req.url ?? '/', res),
  );
  private rp: TestRp | undefined;
  baseURL = '';

  /** Listens on a free loopback port; connect() it to the IdP once the IdP runs. */
  static async listen(): Promise<TabRp> {
    const rp = new TabRp();
    rp.server.listen(0, '127.0.0.1');
    await once(rp.server, 'listening');
    rp.baseURL = `http://127.0.0.1:${(rp.server.address() as AddressInfo).port}`;
    return rp;
  }

  get callbackURL(): string {
    return `${this.baseURL}/callback`;
  }

  async connect(issuer: string, clientId: string, secret: string): Promise<void> {
    this.rp = await TestRp.create(issuer, clientId, secret, this.callbackURL);
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  private async handle(url: string, res: ServerResponse): Promise<void> {
    const { pathname, searchParams } = new URL(url, this.baseURL);
    if (pathname === '/start') {
      const pending = await this.rp!.authorize();
      this.pending.set(pending.state, pending);
      res.writeHead(302, { location: pending.url }).end();
      return;
    }
    if (pathname === '/callback') {
      const state = searchParams.get('state') ?? '';
      const pending = this.pending.get(state);
      this.pending.delete(state);
      let outcome: TabOutcome;
      try {
        if (!pending) throw new Error(`no authorization with state ${state}`);
        const tokens = await this.rp!.redeem(
          `${this.callbackURL}?${searchParams.toString()}`,
          pending,
        );
        outcome = {
          state,
          sub: tokens.claims()!.sub,
          codeHash: tokenHash(searchParams.get('code')!),
          idTokenHash: tokenHash(tokens.id_token!),
        };
      } catch (err) {
        outcome = { state, error: (err as Error).message };
      }
      this.outcomes.push(outcome);
      const body = outcome.sub
        ? `<p id="sub">${escape(outcome.sub)}</p>`
        : `<p id="error">${escape(outcome.error ?? '')}</p>`;
      res
        .writeHead(outcome.sub ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><title>RP</title>${body}`);
      return;
    }
    res.writeHead(404).end();
  }
}
