/** The default FlowExecutionStore, a table in the embedded SQLite database. */
import { randomBytes } from 'node:crypto';
import { IdpError } from '../errors.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';
import type { FlowExecution, FlowExecutionStore } from './flow-execution-store.js';

export class SqliteFlowExecutionStore implements FlowExecutionStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS flow_executions (
      key TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      expires INTEGER NOT NULL,
      data TEXT NOT NULL
    )`);
    // Expired executions are removed on every save; the index keeps that from scanning the table.
    db.exec('CREATE INDEX IF NOT EXISTS flow_executions_expires ON flow_executions (expires)');
  }

  save(execution: Omit<FlowExecution, 'key'>, ttlMs: number): string {
    const key = `e${randomBytes(18).toString('base64url')}`;
    const { sessionId, ...data } = execution;
    this.guard(() => {
      this.db.prepare('DELETE FROM flow_executions WHERE expires <= ?').run(this.now());
      this.db
        .prepare('INSERT INTO flow_executions (key, session_id, expires, data) VALUES (?, ?, ?, ?)')
        .run(key, sessionId, this.now() + ttlMs, JSON.stringify(data));
    });
    return key;
  }

  take(key: string, sessionId: string): FlowExecution | undefined {
    // DELETE … RETURNING makes "read and consume" one step: two posts of the same form cannot
    // both get the execution.
    const row = this.guard(
      () =>
        this.db
          .prepare('DELETE FROM flow_executions WHERE key = ? AND session_id = ? RETURNING expires, data')
          .get(key, sessionId) as { expires: number; data: string } | undefined,
    );
    if (!row || row.expires <= this.now()) return undefined;
    return { key, sessionId, ...(JSON.parse(row.data) as Omit<FlowExecution, 'key' | 'sessionId'>) };
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      throw new IdpError('SESSION_STORE_FAILED', `flow execution store failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
