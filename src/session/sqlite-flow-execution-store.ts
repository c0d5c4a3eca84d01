/** The default FlowExecutionStore: table flow_executions of the embedded SQLite database (src/storage/sqlite-schema.ts). */
import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { IdpError } from '../core/errors.js';
import { retryWhileBusy, type BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';
import type { FlowExecution, FlowExecutionStore } from './flow-execution-store.js';

export class SqliteFlowExecutionStore implements FlowExecutionStore {
  private readonly insert: (key: string, sessionId: string, expires: number, data: string) => void;
  private readonly consume: Statement<[string, string], { expires: number; data: string }>;

  constructor(
    db: SqliteDatabase,
    private readonly busy: BusyPolicy,
    private readonly now: () => number = Date.now,
  ) {
    // Expired executions are removed on every save, through the expiry index (sqlite-schema.ts).
    const prune = db.prepare<[number]>('DELETE FROM flow_executions WHERE expires <= ?');
    const insert = db.prepare<[string, string, number, string]>(
      'INSERT INTO flow_executions (key, session_id, expires, data) VALUES (?, ?, ?, ?)',
    );
    // One transaction, so a retry after a lock never finds half of it done.
    this.insert = db.transaction(
      (key: string, sessionId: string, expires: number, data: string) => {
        prune.run(this.now());
        insert.run(key, sessionId, expires, data);
      },
    );
    // DELETE … RETURNING makes "read and consume" one step: two posts of the same form cannot
    // both get the execution.
    this.consume = db.prepare(
      'DELETE FROM flow_executions WHERE key = ? AND session_id = ? RETURNING expires, data',
    );
  }

  async save(execution: Omit<FlowExecution, 'key'>, ttlMs: number): Promise<string> {
    const key = `e${randomBytes(18).toString('base64url')}`;
    const { sessionId, ...data } = execution;
    const json = JSON.stringify(data);
    await this.guard(() => this.insert(key, sessionId, this.now() + ttlMs, json));
    return key;
  }

  async take(key: string, sessionId: string): Promise<FlowExecution | undefined> {
    const row = await this.guard(() => this.consume.get(key, sessionId));
    if (!row || row.expires <= this.now()) return undefined;
    return {
      key,
      sessionId,
      ...(JSON.parse(row.data) as Omit<FlowExecution, 'key' | 'sessionId'>),
    };
  }

  private async guard<T>(work: () => T): Promise<T> {
    try {
      return await retryWhileBusy(work, this.busy, 'flow execution store');
    } catch (err) {
      if (err instanceof IdpError) throw err;
      throw new IdpError(
        'SESSION_STORE_FAILED',
        `flow execution store failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
