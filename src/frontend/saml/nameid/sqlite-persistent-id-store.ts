/** The default PersistentIdStore: table persistent_ids of the embedded SQLite database (src/storage/sqlite-schema.ts). */
import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { IdpError } from '../../../core/errors.js';
import { retryWhileBusy, type BusyPolicy } from '../../../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../../../storage/sqlite-database.js';
import type { PersistentIdKey, PersistentIdStore } from './persistent-id-store.js';

type Key = [idp: string, sp: string, principal: string];

/** 160 random bits, URL-safe base64 (27 characters): opaque, and nothing to derive it from. */
function newPersistentId(): string {
  return randomBytes(20).toString('base64url');
}

export class SqlitePersistentIdStore implements PersistentIdStore {
  private readonly select: Statement<Key, { persistent_id: string }>;
  private readonly upsert: (key: Key, id: string, now: number) => string;

  constructor(
    db: SqliteDatabase,
    private readonly busy: BusyPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.select = db.prepare(
      'SELECT persistent_id FROM persistent_ids WHERE idp_entity = ? AND sp_qualifier = ? AND principal = ?',
    );
    const insert = db.prepare<[...Key, string, number]>(
      `INSERT INTO persistent_ids (idp_entity, sp_qualifier, principal, persistent_id, created_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (idp_entity, sp_qualifier, principal) DO NOTHING`,
    );
    // One transaction: the identifier read back is the one stored, whoever stored it first.
    this.upsert = db.transaction((key: Key, id: string, now: number) => {
      insert.run(...key, id, now);
      return this.select.get(...key)!.persistent_id;
    });
  }

  async find({ idp, sp, principal }: PersistentIdKey): Promise<string | undefined> {
    return (await this.guard(() => this.select.get(idp, sp, principal)))?.persistent_id;
  }

  findOrCreate({ idp, sp, principal }: PersistentIdKey): Promise<string> {
    const id = newPersistentId();
    return this.guard(() => this.upsert([idp, sp, principal], id, this.now()));
  }

  private async guard<T>(work: () => T): Promise<T> {
    try {
      return await retryWhileBusy(work, this.busy, 'persistent identifier store');
    } catch (err) {
      if (err instanceof IdpError) throw err;
      throw new IdpError(
        'PERSISTENT_ID_STORE_FAILED',
        `persistent identifier store failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
