/**
 * The file work of audit rotation: compressing a rotated file and deleting expired ones. A rotated
 * file is compressed to <name>.gz.tmp, synced, renamed to <name>.gz, and only then is the plain
 * file deleted — at every moment one complete copy exists under a name `audit` reads (a crash
 * mid-way leaves the plain file, or both; both hold the same lines).
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ProcessLog } from '../../logging/process-log.js';
import { rotatedFiles, utcDay } from './audit-rotated-files.js';

const DAY_MS = 24 * 3600_000;

/** fsync of a folder, so that a rename or a new file in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** plain → plain.gz (streamed), then plain deleted. */
export async function compressFile(plain: string): Promise<void> {
  const gz = `${plain}.gz`;
  const tmp = `${gz}.tmp`;
  try {
    await pipeline(createReadStream(plain), createGzip(), createWriteStream(tmp));
    await syncFile(tmp);
    await rename(tmp, gz);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(path.dirname(plain));
  await unlink(plain);
}

/**
 * Rotated files left uncompressed by an interrupted run: compressed now; a plain file whose .gz
 * is complete (the crash came between the rename and the delete) is deleted.
 */
export async function finishCompression(current: string): Promise<void> {
  for (const f of rotatedFiles(current)) {
    if (f.compressed) continue;
    if (existsSync(`${f.path}.gz`)) await unlink(f.path);
    else await compressFile(f.path);
  }
}

/** Deletes rotated files of days more than `maxHistoryDays` before `now` (0: keeps all). */
export async function deleteExpired(
  current: string,
  now: number,
  maxHistoryDays: number,
  log: ProcessLog | undefined,
): Promise<void> {
  if (maxHistoryDays <= 0) return;
  const oldestKept = utcDay(now - maxHistoryDays * DAY_MS);
  for (const f of rotatedFiles(current)) {
    if (f.day >= oldestKept) continue;
    try {
      await unlink(f.path);
      log?.info(`Audit log ${f.path} deleted: older than idp.audit.rotate.maxHistory`);
    } catch (err) {
      log?.warn(`Audit log ${f.path} could not be deleted: ${(err as Error).message}`);
    }
  }
}
