/**
 * oidc-provider's persistence on the embedded SQLite database (its in-memory adapter is for
 * development only and capped at 1000 entries). One table holds every model — sessions,
 * interactions, grants, codes, tokens — keyed by (model, id), with the lookups the provider needs:
 * by grant id (revocation), by uid (sessions) and by user code (device flow). Every write also
 * removes a few expired rows (bounded work per write, through the expiry index), so the table
 * holds what is still usable plus at most a small backlog. The table is created with the others
 * (src/storage/sqlite-schema.ts).
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { SqliteDatabase } from '../../storage/sqlite-database.js';

/** Expired rows removed per write at most: more than one, so a backlog shrinks while rows come in. */
export const PRUNE_BATCH = 16;

interface Row {
  payload: string;
  consumed_at: number | null;
}

/** The adapter's statements over the one table, prepared once per database. */
function statements(db: SqliteDatabase) {
  const live = 'AND (expires_at IS NULL OR expires_at > ?)';
  return {
    upsert:
      db.prepare(`INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
    ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
      user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`),
    byId: db.prepare(
      `SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND id = ? ${live}`,
    ),
    byUid: db.prepare(
      `SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND uid = ? ${live}`,
    ),
    byUserCode: db.prepare(
      `SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND user_code = ? ${live}`,
    ),
    consume: db.prepare('UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?'),
    destroy: db.prepare('DELETE FROM oidc_models WHERE model = ? AND id = ?'),
    revoke: db.prepare('DELETE FROM oidc_models WHERE grant_id = ?'),
    prune: db.prepare(
      `DELETE FROM oidc_models WHERE rowid IN
      (SELECT rowid FROM oidc_models WHERE expires_at <= ? ORDER BY expires_at LIMIT ${PRUNE_BATCH})`,
    ),
  };
}

/** A stored row as oidc-provider's payload: consumed (in seconds) once it has been. */
function decode(row: Row | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  return row.consumed_at === null
    ? payload
    : { ...payload, consumed: Math.floor(row.consumed_at / 1000) };
}

/** oidc-provider's adapter class (one instance per model) over this database. */
export function sqliteAdapterFactory(
  db: SqliteDatabase,
  now: () => number = Date.now,
): new (model: string) => Adapter {
  const { upsert, byId, byUid, byUserCode, consume, destroy, revoke, prune } = statements(db);

  return class SqliteOidcAdapter implements Adapter {
    constructor(private readonly model: string) {}

    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      prune.run(now());
      upsert.run(
        this.model,
        id,
        JSON.stringify(payload),
        payload.grantId ?? null,
        payload.userCode ?? null,
        payload.uid ?? null,
        expiresIn ? now() + expiresIn * 1000 : null,
      );
      return Promise.resolve();
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return Promise.resolve(decode(byId.get(this.model, id, now()) as Row | undefined));
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return Promise.resolve(decode(byUid.get(this.model, uid, now()) as Row | undefined));
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return Promise.resolve(
        decode(byUserCode.get(this.model, userCode, now()) as Row | undefined),
      );
    }

    consume(id: string): Promise<void> {
      consume.run(now(), this.model, id);
      return Promise.resolve();
    }

    destroy(id: string): Promise<void> {
      destroy.run(this.model, id);
      return Promise.resolve();
    }

    revokeByGrantId(grantId: string): Promise<void> {
      revoke.run(grantId);
      return Promise.resolve();
    }
  };
}
