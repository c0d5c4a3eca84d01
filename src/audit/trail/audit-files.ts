/**
 * One node's audit files and their lines, for `audit query`, `audit verify` and the auditors' page.
 *
 * A node's files, in chain order: the rotated ones (`<stem>-YYYY-MM-DD.log.gz`, then `.1`, `.2` …
 * for the size rotations of that day; `.log` without `.gz` when compression was off or
 * interrupted) by date, then index, then the current file (`<stem>.log`) last. When an interrupted
 * compression left both `X.log` and `X.log.gz`, only the `.gz` is read (it is complete).
 *
 * Lines are streamed (never a whole file in memory): 64 KiB blocks read ahead, gunzip on the thread pool,
 * and lines cut from the decoded text. A gzip file that is corrupt or cut short is reported
 * through onError with the file and the last complete line read from it; the lines before it
 * are delivered and the caller goes on with the next file. A line longer than MAX_LINE (1 MiB)
 * is reported through onError with its number and skipped, and reading goes on.
 */
import { isAscii } from 'node:buffer';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { LineCutter, MAX_LINE, type ByteChunk } from './audit-line-cutter.js';

export type { ByteChunk } from './audit-line-cutter.js';

export interface AuditFile {
  readonly path: string;
  /**
   * A rotated file's name day (YYYY-MM-DD): the UTC day it was opened, that of its first records —
   * it may hold later days too (size-only rotation, a day rotation that failed); undefined for
   * the current file.
   */
  readonly date?: string;
  /** The size rotation of that day: none = 0, `.1` = 1 … */
  readonly index: number;
  readonly compressed: boolean;
  readonly current: boolean;
}

export interface AuditLine {
  readonly file: AuditFile;
  /** 1-based line number within the (decompressed) file. */
  readonly lineNo: number;
  readonly text: string;
  /** The file's last line has no line break: a write cut short. */
  readonly partial: boolean;
}

export interface AuditReadError {
  readonly file: AuditFile;
  readonly message: string;
  /** The last complete line delivered from the file (0: none). */
  readonly afterLine: number;
  /** Set when only this line was skipped (longer than MAX_LINE): reading went on after it. */
  readonly line?: number;
}

export const DEFAULT_AUDIT_STEM = 'idp-audit';
// Read and gunzip in large blocks (fewer round trips to the thread pool), handed on in pieces of
// at most 64 KiB (audit-line-cutter.ts).
const READ_BUFFER = 1 << 20;
const GUNZIP_CHUNK = 1 << 20;
const READ_AHEAD = 4 << 20;

/**
 * The files of the node at `fileOrDir`: a directory holds `<stem>.log` and its rotations; a
 * current file brings its rotated siblings; a rotated file stands alone.
 */
export function nodeFiles(fileOrDir: string, stem = DEFAULT_AUDIT_STEM): AuditFile[] {
  if (statSync(fileOrDir).isDirectory()) return toRead(auditFilesIn(fileOrDir, stem));
  const name = path.basename(fileOrDir);
  const rotated = /^(.*)-\d{4}-\d{2}-\d{2}(\.\d+)?\.log(\.gz)?$/.exec(name);
  if (rotated) return [toFile(fileOrDir, classify(name, rotated[1]!)!)];
  if (name.endsWith('.log'))
    return toRead(auditFilesIn(path.dirname(fileOrDir), name.slice(0, -4)));
  return [toFile(fileOrDir, { current: false, index: 0, compressed: name.endsWith('.gz') })];
}

/**
 * Without the plain file of an interrupted compression: the writer renames the .gz in only once
 * it is complete and deletes the plain file last, so when both exist the .gz holds every line.
 */
function toRead(files: readonly AuditFile[]): AuditFile[] {
  const names = new Set(files.map((f) => f.path));
  return files.filter((f) => f.current || f.compressed || !names.has(`${f.path}.gz`));
}

interface NameParts {
  readonly current: boolean;
  readonly date?: string;
  readonly index: number;
  readonly compressed: boolean;
}

function classify(name: string, stem: string): NameParts | undefined {
  if (name === `${stem}.log`) return { current: true, index: 0, compressed: false };
  if (!name.startsWith(`${stem}-`)) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log(\.gz)?$/.exec(name.slice(stem.length + 1));
  if (!m) return undefined;
  return { current: false, date: m[1], index: Number(m[2] ?? 0), compressed: m[3] !== undefined };
}

function toFile(file: string, parts: NameParts): AuditFile {
  const { current, date, index, compressed } = parts;
  return date === undefined
    ? { path: file, index, compressed, current }
    : { path: file, date, index, compressed, current };
}

/**
 * Every audit file of `stem` in `dir`, in chain order — an interrupted compression's plain file
 * beside its .gz too (the writer finishes the compression and numbers rotations from these).
 */
export function auditFilesIn(dir: string, stem: string): AuditFile[] {
  const files: AuditFile[] = [];
  for (const name of readdirSync(dir)) {
    const parts = classify(name, stem);
    if (parts) files.push(toFile(path.join(dir, name), parts));
  }
  return files.sort(chainOrder);
}

/** By date, then index; the current file last; a day's `.log` before its `.log.gz` (an interrupted compression leaves both). */
function chainOrder(a: AuditFile, b: AuditFile): number {
  if (a.current !== b.current) return a.current ? 1 : -1;
  const byDate = (a.date ?? '').localeCompare(b.date ?? '');
  if (byDate !== 0) return byDate;
  if (a.index !== b.index) return a.index - b.index;
  return Number(a.compressed) - Number(b.compressed);
}

/** The file's bytes, decompressed; a read error surfaces as the iteration's error. */
function byteStream(file: AuditFile): AsyncIterable<Buffer> {
  const source = createReadStream(file.path, { highWaterMark: READ_BUFFER });
  if (!file.compressed) return source;
  // A deep read-ahead: gunzip runs on the thread pool (the other core) while lines are parsed.
  // (zlib hands its options on to the stream; its types leave highWaterMark out.)
  const gunzip = createGunzip({
    chunkSize: GUNZIP_CHUNK,
    highWaterMark: READ_AHEAD,
  } as ZlibOptions);
  source.on('error', (err) => gunzip.destroy(err));
  return source.pipe(gunzip);
}

/** A run of consecutive lines of one file, decoded. */
interface LineChunk {
  readonly firstLineNo: number;
  readonly lines: readonly string[];
  readonly partialLast: boolean;
}

/** ASCII (most audit text: the formatter escapes what could be mistaken for a separator) decodes as a plain copy. */
export function decodeLines(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * The file's whole lines, a chunk per block read, not yet decoded: a reader looking for a name
 * can search the bytes and decode only the lines that contain it. Lines are cut at the byte
 * 0x0A — never part of a multi-byte UTF-8 character. A read error ends the file after reporting
 * it; a line longer than MAX_LINE is reported (with `line` set) and reading goes on after it.
 */
export async function* readByteChunks(
  file: AuditFile,
  onError: (e: AuditReadError) => void,
): AsyncGenerator<ByteChunk> {
  const cutter = new LineCutter((line, bytes) =>
    onError({
      file,
      message: `a line longer than ${MAX_LINE >> 20} MiB (${bytes} bytes), skipped`,
      afterLine: line - 1,
      line,
    }),
  );
  try {
    for await (const block of byteStream(file)) yield* cutter.cut(block);
  } catch (err) {
    const pending = cutter.pending;
    const dropped = pending > 0 ? ` (${pending} bytes after it not delivered)` : '';
    onError({ file, message: `${(err as Error).message}${dropped}`, afterLine: cutter.lineNo });
    return;
  }
  const partial = cutter.end();
  if (partial) yield partial;
}

/** The file's lines, decoded, a chunk per block read (see readByteChunks). */
async function* readLineChunks(
  file: AuditFile,
  onError: (e: AuditReadError) => void,
): AsyncGenerator<LineChunk> {
  for await (const { firstLineNo, bytes, partialLast } of readByteChunks(file, onError))
    yield { firstLineNo, lines: decodeLines(bytes).split('\n'), partialLast };
}

/** The file's lines in batches (see readLineChunks). */
async function* readAuditBatches(
  file: AuditFile,
  onError: (e: AuditReadError) => void,
): AsyncGenerator<AuditLine[]> {
  for await (const { firstLineNo, lines, partialLast } of readLineChunks(file, onError))
    yield lines.map((text, i) => ({
      file,
      lineNo: firstLineNo + i,
      text,
      partial: partialLast && i === lines.length - 1,
    }));
}

/** The file's lines one by one (see readLineChunks). */
export async function* readAuditLines(
  file: AuditFile,
  onError: (e: AuditReadError) => void,
): AsyncGenerator<AuditLine> {
  for await (const batch of readAuditBatches(file, onError)) yield* batch;
}
