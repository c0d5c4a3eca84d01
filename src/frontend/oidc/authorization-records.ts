/**
 * What the IdP decided for each OIDC authorization, keyed by the oidc-provider grant it created:
 * who the subject is, who really signed in when impersonating, what was released, and how the
 * user authenticated. Tokens carry the grant id, so for a token's whole lifetime the IdP knows
 * whether it was issued under impersonation — for its lifetime, its claims (resolved as the
 * impersonated account) and its audit records — while oidc-provider's own session only ever
 * carries one authorization.
 */
import type { SqliteDatabase } from '../../storage/sqlite-database.js';

export interface AuthorizationRecord {
  readonly grantId: string;
  readonly clientId: string;
  /** The effective account: the token's sub. */
  readonly subject: string;
  /** The real account when the authorization was an impersonation. */
  readonly impersonator?: string;
  /** Resolution label to resolve the subject's claims with ("OIDC/SSO" or "intercept/impersonate"). */
  readonly resolutionLabel: string;
  /** Claim names released at authorization time, for the audit log. */
  readonly claims: readonly string[];
  readonly sso: boolean;
  readonly authnInstant: number;
  readonly authnMethod: string;
  readonly startTime: number;
  readonly expiresAt: number;
}

export class AuthorizationRecords {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS oidc_authorizations (
      grant_id TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL,
      record TEXT NOT NULL
    )`);
    db.exec('CREATE INDEX IF NOT EXISTS oidc_authorizations_expires ON oidc_authorizations (expires_at)');
  }

  put(record: AuthorizationRecord): void {
    this.db.prepare('DELETE FROM oidc_authorizations WHERE expires_at <= ?').run(this.now());
    this.db
      .prepare('INSERT OR REPLACE INTO oidc_authorizations (grant_id, expires_at, record) VALUES (?, ?, ?)')
      .run(record.grantId, record.expiresAt, JSON.stringify(record));
  }

  get(grantId: string | undefined): AuthorizationRecord | undefined {
    if (!grantId) return undefined;
    const row = this.db
      .prepare('SELECT record FROM oidc_authorizations WHERE grant_id = ? AND expires_at > ?')
      .get(grantId, this.now()) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as AuthorizationRecord) : undefined;
  }
}
