/**
 * Another process holding a write lock on a SQLite file, as an admin tool or a backup in the
 * middle of a transaction would: a separate Node process with its own better-sqlite3 connection,
 * BEGIN IMMEDIATE plus an insert, held for `ms`, then rolled back.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PROJECT_ROOT } from '../../src/core/paths.js';

const SCRIPT = `
import Database from 'better-sqlite3';
const db = new Database(process.env.LOCK_DB, { fileMustExist: true });
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT INTO idp_sessions (sid, data, expires) VALUES ('held-by-another-process', '{}', 0)").run();
process.stdout.write('locked\\n');
setTimeout(() => {
  db.exec('ROLLBACK');
  db.close();
  process.stdout.write('released\\n');
}, Number(process.env.LOCK_MS));
`;

export interface LockHolder {
  /** Resolves when the other process has let go of the lock and exited. */
  readonly released: Promise<void>;
}

/** Resolves once the other process holds the lock. */
export async function holdSqliteLock(file: string, ms: number): Promise<LockHolder> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOCK_DB: file, LOCK_MS: String(ms) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('locked\n')) resolve();
    });
    child.on('exit', (code) =>
      reject(new Error(`lock holder exited (${code}) before taking the lock`)),
    );
  });
  return {
    released: exited.then(([code]) => {
      if (code !== 0) throw new Error(`lock holder failed (${String(code)})`);
    }),
  };
}
