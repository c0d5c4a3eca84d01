/**
 * The embedded SQLite database (better-sqlite3): one file for the user directory, IdP sessions and
 * flow executions. Each component creates its own tables; this module only opens the file.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export function openSqliteDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // No waiting inside the driver: it would block the event loop (see sqlite-busy.ts). A lock held
  // by another process fails a statement at once with SQLITE_BUSY; the stores retry on a timer.
  db.pragma('busy_timeout = 0');
  db.pragma('foreign_keys = ON');
  return db;
}
