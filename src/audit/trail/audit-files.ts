/**
 * One node's audit files and their lines, for `audit query`, `audit verify` and the auditors' page.
 *
 * A node's files, in chain order: the rotated ones (`<stem>-YYYY-MM-DD.log.gz`, then `.1`, `.2` …
 * for the size rotations of that day; `.log` without `.gz` when compression was off or
 * interrupted) by date, then index, then the current file (`<stem>.log`) last.
 *
 * Lines are streamed (never a whole file in memory): 64 KiB blocks read ahead, gunzip on the thread pool,
 * and lines cut from the decoded text. A gzip file that is corrupt or cut short is reported
 * through onError with the file and the last complete line read from it; the lines before it
 * are delivered and the caller goes on with the next file.
 */
import { isAscii } from 'node:buffer';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createGunzip, type ZlibOptions } from 'node:zlib';

export interface AuditFile {
  readonly path: string;
  /** The UTC day of a rotated file's records (YYYY-MM-DD); undefined for the current file. */
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
}

export const DEFAULT_AUDIT_STEM = 'idp-audit';
// Read and gunzip in large blocks (fewer round trips to the thread pool), handed on in pieces of
// at most 64 KiB: a piece's text then fits V8's young generation. A string of 128 KiB to 1 MiB
// is a large object, allocated from fresh pages each time: decoding 256 KiB at a time was 30
// times slower here than 64 KiB.
const READ_BUFFER = 1 << 20;
const GUNZIP_CHUNK = 1 << 20;
const PIECE = 64 << 10;
const READ_AHEAD = 4 << 20;

/**
 * The files of the node at `fileOrDir`: a directory holds `<stem>.log` and its rotations; a
 * current file brings its rotated siblings; a rotated file stands alone.
 */
export function nodeFiles(fileOrDir: string, stem = DEFAULT_AUDIT_STEM): AuditFile[] {
  if (statSync(fileOrDir).isDirectory()) return filesOf(fileOrDir, stem);
  const name = path.basename(fileOrDir);
  const rotated = /^(.*)-\d{4}-\d{2}-\d{2}(\.\d+)?\.log(\.gz)?$/.exec(name);
  if (rotated) return [toFile(fileOrDir, classify(name, rotated[1]!)!)];
  if (name.endsWith('.log')) return filesOf(path.dirname(fileOrDir), name.slice(0, -4));
  return [toFile(fileOrDir, { current: false, index: 0, compressed: name.endsWith('.gz') })];
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

function filesOf(dir: string, stem: string): AuditFile[] {
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

/** A run of whole lines of one file, as bytes (the line breaks between them kept, none at the end). */
export interface ByteChunk {
  /** The line number of the first line. */
  readonly firstLineNo: number;
  readonly lineCount: number;
  readonly bytes: Buffer;
  /** The last line has no line break (the file's end: a write cut short). */
  readonly partialLast: boolean;
}

/** A run of consecutive lines of one file, decoded. */
interface LineChunk {
  readonly firstLineNo: number;
  readonly lines: readonly string[];
  readonly partialLast: boolean;
}

const NL = 0x0a;

/** ASCII (most audit text: the formatter escapes what could be mistaken for a separator) decodes as a plain copy. */
export function decodeLines(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Whole lines in runs of about PIECE bytes (a longer line is a piece of its own). */
function* pieces(bytes: Buffer): Generator<Buffer> {
  let start = 0;
  while (bytes.length - start > PIECE) {
    let cut = bytes.lastIndexOf(NL, start + PIECE);
    if (cut < start) cut = bytes.indexOf(NL, start + PIECE);
    if (cut === -1) break;
    yield bytes.subarray(start, cut);
    start = cut + 1;
  }
  yield bytes.subarray(start);
}

function countLines(bytes: Buffer): number {
  let n = 1;
  for (let at = bytes.indexOf(NL); at !== -1; at = bytes.indexOf(NL, at + 1)) n++;
  return n;
}

/**
 * The file's whole lines, a chunk per block read, not yet decoded: a reader looking for a name
 * can search the bytes and decode only the lines that contain it. Lines are cut at the byte
 * 0x0A — never part of a multi-byte UTF-8 character. An error ends the file after reporting it.
 */
export async function* readByteChunks(
  file: AuditFile,
  onError: (e: AuditReadError) => void,
): AsyncGenerator<ByteChunk> {
  let carry: Buffer = Buffer.alloc(0);
  let lineNo = 0;
  try {
    for await (const chunk of byteStream(file)) {
      const last = chunk.lastIndexOf(NL);
      if (last === -1) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      // The line begun in the previous block is completed apart: no copy of the whole block.
      const first = carry.length > 0 ? chunk.indexOf(NL) : -1;
      const head = first === -1 ? [] : [Buffer.concat([carry, chunk.subarray(0, first)])];
      const rest = first === last ? [] : pieces(chunk.subarray(first + 1, last));
      carry = Buffer.from(chunk.subarray(last + 1));
      for (const piece of [...head, ...rest]) {
        const lineCount = countLines(piece);
        yield { firstLineNo: lineNo + 1, lineCount, bytes: piece, partialLast: false };
        lineNo += lineCount;
      }
    }
  } catch (err) {
    const dropped = carry.length > 0 ? ` (${carry.length} bytes after it not delivered)` : '';
    onError({ file, message: `${(err as Error).message}${dropped}`, afterLine: lineNo });
    return;
  }
  if (carry.length > 0)
    yield { firstLineNo: lineNo + 1, lineCount: 1, bytes: carry, partialLast: true };
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
