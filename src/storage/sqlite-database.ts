/**
 * The embedded SQLite database (better-sqlite3): one file for the user directory, IdP sessions,
 * flow executions, login failures and the OpenID Provider's state. Its tables and their versions
 * are listed in sqlite-schema.ts; opening a file brings it to the current version, so the stores
 * find their tables and never create them.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applySchema, assertKnownSchema, SCHEMA_VERSION } from './sqlite-schema.js';

export type SqliteDatabase = Database.Database;

/** The IdP's connection: created when missing, brought to the current schema (refused when newer). */
export function openSqliteDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    assertKnownSchema(db, file); // before anything is set on a file from a later release
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
    applySchema(db, file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * An existing file for a reader that must never change it (the policy CLI, perhaps beside a running
 * IdP). A file at the current schema version is read in place; an older one (its IdP not yet
 * restarted on this release) through an in-memory copy brought to the current version, so the
 * reader's statements meet the tables they were written for; a newer one is refused. Writes fail
 * with SQLITE_READONLY either way.
 */
export function openSqliteDatabaseReadOnly(file: string): SqliteDatabase {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    if (assertKnownSchema(db, file) === SCHEMA_VERSION) return db;
    const image = db.serialize();
    db.close();
    // A WAL database cannot be opened from memory; header bytes 18–19 say which journal the file
    // uses, and 1 (rollback journal) lets the copy open (https://www.sqlite.org/fileformat.html).
    if (image.length >= 20) image[18] = image[19] = 1;
    const copy = new Database(image);
    try {
      applySchema(copy, file);
      copy.pragma('query_only = ON');
      return copy;
    } catch (err) {
      copy.close();
      throw err;
    }
  } catch (err) {
    if (db.open) db.close();
    throw err;
  }
}
