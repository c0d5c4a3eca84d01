/**
 * Stand-ins, to be replaced by the real modules when the branches merge (the swap is an import
 * change): the checkpoint payload and key id (audit-checkpoint.ts, the chain writer's) and the
 * reader of a node's audit files (audit-files.ts, the `audit` command's). Same signatures as the
 * shared design's; only as much behaviour as `audit verify` and its tests need.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';

/** The text a checkpoint signs. */
export function checkpointPayload(covers: number, hashB64: string): string {
  return `idp-audit-checkpoint|${covers}|${hashB64}`;
}

/** First 16 characters of base64url SHA-256 of the public key's SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 16);
}

export interface AuditFile {
  path: string;
  date?: string;
  index: number;
  compressed: boolean;
  current: boolean;
}

export interface AuditLine {
  file: AuditFile;
  lineNo: number;
  text: string;
  /** No final line break. */
  partial: boolean;
}

const ROTATED = /^(.*)-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log(\.gz)?$/;

/** One node's files, in chain order: rotated by date then index, the current file last. */
export function nodeFiles(fileOrDir: string): AuditFile[] {
  const isDir = statSync(fileOrDir).isDirectory();
  const dir = isDir ? fileOrDir : path.dirname(fileOrDir);
  const current = isDir ? 'idp-audit.log' : path.basename(fileOrDir);
  const stem = current.replace(/\.log$/, '');
  const rotated: AuditFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = ROTATED.exec(name);
    if (!m || m[1] !== stem) continue;
    const [, , date, index, gz] = m;
    rotated.push({
      path: path.join(dir, name),
      date,
      index: Number(index ?? 0),
      compressed: gz !== undefined,
      current: false,
    });
  }
  rotated.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.index - b.index);
  const files = [...rotated];
  const currentPath = path.join(dir, current);
  if (readdirSync(dir).includes(current))
    files.push({ path: currentPath, index: 0, compressed: false, current: true });
  return files;
}

/** The file's lines; a corrupt or cut gzip stream is reported through onError and ends it. */
export async function* readAuditLines(
  file: AuditFile,
  onError: (e: { file: AuditFile; message: string; afterLine: number }) => void,
): AsyncIterable<AuditLine> {
  const raw = createReadStream(file.path);
  const stream = file.compressed ? raw.pipe(createGunzip()) : raw;
  stream.setEncoding('utf8');
  let pending = '';
  let lineNo = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        lineNo += 1;
        yield { file, lineNo, text: pending.slice(0, nl), partial: false };
        pending = pending.slice(nl + 1);
      }
    }
  } catch (e) {
    onError({ file, message: e instanceof Error ? e.message : String(e), afterLine: lineNo });
    return;
  } finally {
    raw.destroy();
  }
  if (pending) yield { file, lineNo: lineNo + 1, text: pending, partial: true };
}
