/**
 * The default AuthorizationRecords: table oidc_authorizations of the embedded SQLite database
 * (src/storage/sqlite-schema.ts), one row per grant, pruned a few rows per write.
 */
import type { SqliteDatabase } from '../../storage/sqlite-database.js';
import type { AuthorizationRecord, AuthorizationRecords } from './authorization-records.js';

/** Expired rows removed per write at most: bounded work, and the table still shrinks (one row in, up to this many out). */
const PRUNE_BATCH = 16;

export class SqliteAuthorizationRecords implements AuthorizationRecords {
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

  put(record: AuthorizationRecord): Promise<void> {
    this.prune.run(this.now());
    this.insert.run(record.grantId, record.expiresAt, JSON.stringify(record));
    return Promise.resolve();
  }

  get(grantId: string | undefined): Promise<AuthorizationRecord | undefined> {
    if (!grantId) return Promise.resolve(undefined);
    const row = this.select.get(grantId, this.now()) as { record: string } | undefined;
    return Promise.resolve(row ? (JSON.parse(row.record) as AuthorizationRecord) : undefined);
  }

  extend(grantId: string, expiresAt: number): Promise<void> {
    this.prolong.run(expiresAt, expiresAt, grantId, expiresAt);
    return Promise.resolve();
  }
}
