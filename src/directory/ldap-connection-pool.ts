/**
 * A small bounded pool of ldapts Clients for the LDAP user directory: at most poolMaxSize
 * connections, opened when needed (connect, then StartTLS when configured, within the connect
 * timeout), reused, and discarded when broken — a connection that failed anything but an LDAP
 * result (a timeout, a closed socket) is never handed out again. A request finding every
 * connection busy waits up to the response timeout. Nothing is retried here: the next request
 * simply opens a fresh connection, which is how the directory recovers when the server is back.
 */
import { Client } from 'ldapts';
import type { LdapDirectorySettings } from './ldap-settings.js';

/** Who a connection is bound as now: the service account, or anyone else (a user, nobody). */
type BoundAs = 'service' | 'other';

export interface LdapConnection {
  readonly client: Client;
  boundAs: BoundAs;
}

type PoolSettings = Pick<
  LdapDirectorySettings,
  | 'url'
  | 'startTls'
  | 'trustedCertificates'
  | 'connectTimeoutMs'
  | 'responseTimeoutMs'
  | 'poolMaxSize'
>;

/** ldapts's LDAP result errors carry a numeric result code; socket and timeout errors do not. */
function isLdapResult(err: unknown): err is Error & { code: number } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number';
}

export class LdapConnectionPool {
  private readonly idle: LdapConnection[] = [];
  private readonly waiting: (() => void)[] = [];
  /** Connections open or being opened, idle or in use. */
  private size = 0;
  private closed = false;
  /** Connections opened so far (for the tests: reuse means this stays small). */
  opened = 0;

  constructor(private readonly settings: PoolSettings) {}

  /**
   * Runs `work` on a pooled connection. The connection goes back to the pool after an LDAP result
   * (success or a result code such as invalidCredentials) and is discarded after anything else.
   */
  async use<T>(work: (connection: LdapConnection) => Promise<T>): Promise<T> {
    const connection = await this.acquire();
    let healthy = false;
    try {
      const result = await work(connection);
      healthy = true;
      return result;
    } catch (err) {
      healthy = isLdapResult(err);
      throw err;
    } finally {
      if (healthy && connection.client.isConnected && !this.closed) this.release(connection);
      else void this.discard(connection);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all(this.idle.splice(0).map((c) => this.discard(c)));
  }

  private async acquire(): Promise<LdapConnection> {
    const deadline = Date.now() + this.settings.responseTimeoutMs;
    for (;;) {
      if (this.closed) throw new Error('the LDAP directory is closed');
      const idle = this.idle.pop();
      if (idle) {
        if (idle.client.isConnected) return idle;
        void this.discard(idle); // closed by the server while idle
        continue;
      }
      if (this.size < this.settings.poolMaxSize) {
        this.size++;
        try {
          return await this.connect();
        } catch (err) {
          this.size--;
          this.waiting.shift()?.();
          throw err;
        }
      }
      await this.turn(deadline);
    }
  }

  /** Resolves when a connection is released or discarded; rejects at the deadline. */
  private turn(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          const at = this.waiting.indexOf(wake);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(
            new Error(
              `all ${this.settings.poolMaxSize} LDAP connections stayed busy for ${this.settings.responseTimeoutMs} ms`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push(wake);
    });
  }

  private release(connection: LdapConnection): void {
    this.idle.push(connection);
    this.waiting.shift()?.();
  }

  private async discard(connection: LdapConnection): Promise<void> {
    this.size--;
    this.waiting.shift()?.();
    // unbind() ends the socket even when the server does not answer (its own timeout applies).
    await connection.client.unbind().catch(() => undefined);
  }

  /**
   * A new connection. Plain and ldaps:// ones connect at their first operation (ldapts's connect
   * timeout applies); a StartTLS one connects and upgrades here, within connectTimeoutMs.
   */
  private async connect(): Promise<LdapConnection> {
    const {
      url,
      startTls,
      trustedCertificates: ca,
      connectTimeoutMs,
      responseTimeoutMs,
    } = this.settings;
    const client = new Client({
      url,
      connectTimeout: connectTimeoutMs,
      timeout: responseTimeoutMs,
      // ldapts makes any connection with TLS options a TLS one: only ldaps:// gets them here.
      tlsOptions: url.startsWith('ldaps:') && ca ? { ca } : undefined,
    });
    this.opened++;
    if (startTls) await this.startTls(client, ca);
    return { client, boundAs: 'other' };
  }

  private async startTls(client: Client, ca: string | undefined): Promise<void> {
    const { url, connectTimeoutMs } = this.settings;
    // The certificate is checked against the URL's host name.
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const upgrading = client.startTLS({ ca, host });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        upgrading,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`StartTLS with ${url} took over ${connectTimeoutMs} ms`)),
            connectTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      upgrading.catch(() => undefined);
      await client.unbind().catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
