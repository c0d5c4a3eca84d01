/**
 * What the IdP decided for each OIDC authorization, keyed by the oidc-provider grant it created:
 * who the subject is, who really signed in when impersonating, what was released, and how the
 * user authenticated. Tokens carry the grant id, so for a token's whole lifetime the IdP knows
 * whether it was issued under impersonation — for its lifetime, its claims (resolved as the
 * impersonated account) and its audit records — while oidc-provider's own session only ever
 * carries one authorization. Table oidc_authorizations (src/storage/sqlite-schema.ts).
 */
import type { TokenPolicy } from '../../core/request-context.js';
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
  /** Limits on the tokens issued under the grant (an impersonation's); absent: the configured lifetimes. */
  readonly tokens?: TokenPolicy;
  /** The impersonation target the tester asked for (audit %ut, %utc), when one was named. */
  readonly requestedTarget?: { readonly typed: string; readonly account: string };
  /** The reason given on the impersonate form (audit %det reason=; at delegate, in `act`), when one was. */
  readonly reason?: string;
  /**
   * How the impersonation is released (only with `impersonator`): `impersonate` as the subject
   * alone, `delegate` with the impersonator named as the actor (`act`, act-claim.ts). A record an
   * earlier release wrote has none: an impersonation then, as it was.
   */
  readonly level?: 'impersonate' | 'delegate';
  /** Claim names released at authorization time, for the audit log. */
  readonly claims: readonly string[];
  readonly sso: boolean;
  readonly authnInstant: number;
  readonly authnMethod: string;
  readonly startTime: number;
  readonly expiresAt: number;
}

/** The level of the impersonation a record describes; undefined when it is no impersonation. */
export function impersonationLevel(
  record: AuthorizationRecord | undefined,
): 'impersonate' | 'delegate' | undefined {
  if (record?.impersonator === undefined) return undefined;
  return record.level ?? 'impersonate';
}

/** Expired rows removed per write at most: bounded work, and the table still shrinks (one row in, up to this many out). */
const PRUNE_BATCH = 16;

export class AuthorizationRecords {
  private readonly insert;
  private readonly select;
  private readonly prolong;
  private readonly prune;

  constructor(
    db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(
      'INSERT OR REPLACE INTO oidc_authorizations (grant_id, expires_at, record) VALUES (?, ?, ?)',
    );
    this.select = db.prepare(
      'SELECT record FROM oidc_authorizations WHERE grant_id = ? AND expires_at > ?',
    );
    this.prolong = db.prepare(
      "UPDATE oidc_authorizations SET expires_at = ?, record = json_set(record, '$.expiresAt', ?) WHERE grant_id = ? AND expires_at < ?",
    );
    this.prune = db.prepare(
      `DELETE FROM oidc_authorizations WHERE grant_id IN
        (SELECT grant_id FROM oidc_authorizations WHERE expires_at <= ? ORDER BY expires_at LIMIT ${PRUNE_BATCH})`,
    );
  }

  put(record: AuthorizationRecord): void {
    this.prune.run(this.now());
    this.insert.run(record.grantId, record.expiresAt, JSON.stringify(record));
  }

  get(grantId: string | undefined): AuthorizationRecord | undefined {
    if (!grantId) return undefined;
    const row = this.select.get(grantId, this.now()) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as AuthorizationRecord) : undefined;
  }

  /** Keeps the record until expiresAt, when it would otherwise go sooner (its grant was reused). */
  extend(grantId: string, expiresAt: number): void {
    this.prolong.run(expiresAt, expiresAt, grantId, expiresAt);
  }
}
