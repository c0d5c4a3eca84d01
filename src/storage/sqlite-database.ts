/**
 * The embedded SQLite database (better-sqlite3): one file for the user directory, IdP sessions,
 * flow executions, login failures and the OpenID Provider's state. Each component creates its own tables; this module only opens the file.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export function openSqliteDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // In WAL mode, NORMAL never corrupts the database; a power failure can only lose the last few
  // commits (sessions, parked forms, OpenID Provider state — all of which a user can redo). It
  // saves an fsync on every commit, which on a rolling session is every request. The audit log,
  // whose records must be on disk before a response leaves, has its own fdatasync'd file.
  db.pragma('synchronous = NORMAL');
  // No waiting inside the driver: it would block the event loop (see sqlite-busy.ts). A lock held
  // by another process fails a statement at once with SQLITE_BUSY; the stores retry on a timer.
  db.pragma('busy_timeout = 0');
  db.pragma('foreign_keys = ON');
  return db;
}
