/**
 * What an admin tool does to a running IdP's accounts: its own better-sqlite3 connection to the
 * IdP's database file, one statement, closed again — the IdP learns of it only through the file.
 */
import Database from 'better-sqlite3';
import type { TestIdp } from './test-idp.js';

function adminSql(t: TestIdp, sql: string, ...params: unknown[]): void {
  const db = new Database(t.idp.config.properties.storagePath, { fileMustExist: true });
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

export const disableAccount = (t: TestIdp, user: string) =>
  adminSql(t, 'UPDATE accounts SET enabled = 0 WHERE username = ?', user);
export const enableAccount = (t: TestIdp, user: string) =>
  adminSql(t, 'UPDATE accounts SET enabled = 1 WHERE username = ?', user);
export const lockAccount = (t: TestIdp, user: string) =>
  adminSql(t, 'UPDATE accounts SET locked = 1 WHERE username = ?', user);
export const unlockAccount = (t: TestIdp, user: string) =>
  adminSql(t, 'UPDATE accounts SET locked = 0 WHERE username = ?', user);
export const deleteAccount = (t: TestIdp, user: string) =>
  adminSql(t, 'DELETE FROM accounts WHERE username = ?', user);
