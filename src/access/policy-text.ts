/**
 * One file of the policy set — conf/access-control.yaml, a casbin model, a casbin policy — as read
 * from disk, checked before anything in it is believed:
 *
 *   complete   its last line that is not blank is END_MARKER, and no line before it starts like
 *              END_MARKER. A save that was interrupted, or is still being written, leaves a file
 *              that stops early; without the marker such a file often still parses — a policy
 *              that lost its last deny or g2 row, a matcher cut short after a "\" continuation, an
 *              access-control.yaml without its last entry — and it would be obeyed. With the
 *              marker, every cut of a complete file (but one that loses only trailing blanks and
 *              line breaks) is refused: the line it ends in cannot be the marker, since no
 *              earlier line starts like it.
 *   text       UTF-8 (a file saved as Latin-1 would turn "josé" in a deny row into a name that never
 *              matches), with no control characters but tab, CR and LF (a crash can leave NUL
 *              blocks that merge rows into a comment) and no invisible formatting characters
 *              (bidi overrides and zero-width characters make a file read differently from what it
 *              does).
 *
 * The marker is a comment in all three formats (casbin's CSV and model files, YAML), so casbin and
 * every YAML tool read the files as before.
 */
import { readFile } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { ConfigurationError } from '../core/errors.js';
import type { Turns } from './engine/cooperative.js';

export const END_MARKER = '# end of policy';

/** Text is decoded and checked in pieces of about this many bytes, pausing in between. */
const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;
/** Control characters other than tab, LF and CR; invisible formatting characters; line and paragraph separators. */
const UNSAFE = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const MARKER_LIKE = new RegExp(`^[ \\t]*${END_MARKER}`, 'gm');

export interface Chunk {
  /** Whole lines (the last chunk may end without a line break). */
  readonly text: string;
  /** The number of its first line. */
  readonly firstLine: number;
}

export interface DecodedText {
  /** The text in chunks of whole lines; empty when it could not be decoded. */
  readonly chunks: readonly Chunk[];
  /** Why the file must not be used; empty when it is complete, clean text. */
  readonly problems: readonly ConfigurationError[];
}

export class PolicyText {
  private constructor(
    readonly file: string,
    readonly label: string,
    readonly bytes: Buffer,
  ) {}

  /** Reads the file; a ConfigurationError (label, key) when it cannot be read. */
  static async read(file: string, label: string, key: string): Promise<PolicyText> {
    try {
      return new PolicyText(file, label, await readFile(file));
    } catch (err) {
      throw new ConfigurationError(label, key, `cannot read the file: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Whether the file on disk still holds exactly these bytes (compared a chunk at a time). */
  async unchanged(turns: Turns): Promise<boolean> {
    let now: Buffer;
    try {
      now = await readFile(this.file);
    } catch {
      return false;
    }
    if (now.length !== this.bytes.length) return false;
    for (let start = 0; start < now.length; start += CHUNK_BYTES) {
      if (start > 0) await turns.between();
      const end = Math.min(start + CHUNK_BYTES, now.length);
      if (!now.subarray(start, end).equals(this.bytes.subarray(start, end))) return false;
    }
    return true;
  }

  /** The text, decoded and checked in chunks, pausing when `turns` says so. */
  async decode(turns: Turns): Promise<DecodedText> {
    if (!isUtf8(this.bytes))
      return {
        chunks: [],
        problems: [
          this.problem(
            firstNonUtf8Line(this.bytes),
            '(encoding)',
            'is not UTF-8 text (saved as Latin-1 or another encoding?): save the file as UTF-8',
          ),
        ],
      };
    const chunks: Chunk[] = [];
    const problems: ConfigurationError[] = [];
    let firstLine = 1;
    for (let start = 0; start < this.bytes.length;) {
      if (chunks.length > 0) await turns.between();
      const cut = this.bytes.indexOf(NEWLINE, Math.min(start + CHUNK_BYTES, this.bytes.length) - 1);
      const end = cut === -1 ? this.bytes.length : cut + 1;
      const chunk = { text: this.bytes.toString('utf8', start, end), firstLine };
      chunks.push(chunk);
      if (problems.length === 0) {
        const unsafe = UNSAFE.exec(chunk.text);
        if (unsafe) problems.push(this.unsafeCharacter(chunk, unsafe.index));
      }
      firstLine += countLines(chunk.text);
      start = end;
    }
    problems.unshift(...(await this.completeness(chunks, turns)));
    return { chunks, problems };
  }

  /** The problems with the end marker: missing at the end, or present before it (see the module comment). */
  private async completeness(
    chunks: readonly Chunk[],
    turns: Turns,
  ): Promise<ConfigurationError[]> {
    const last = lastContentLine(chunks);
    const problems: ConfigurationError[] = [];
    const missing = this.missingEnd(last);
    if (missing) problems.push(missing);
    for (const chunk of chunks) {
      await turns.between();
      problems.push(...this.earlyMarkers(chunk, last));
    }
    return problems;
  }

  /** The file's last line that is not blank must be END_MARKER. */
  private missingEnd(last: ContentLine | undefined): ConfigurationError | undefined {
    if (last && last.text === END_MARKER) return undefined;
    const line = last?.line ?? 1;
    const what = last
      ? `the file does not end with the line "${END_MARKER}"`
      : `the file is empty (not even the line "${END_MARKER}")`;
    return this.problem(
      line,
      '(end)',
      `${what}, so it may be incomplete (a save that was interrupted or is still being written): a complete policy file ends with that line`,
    );
  }

  /** Lines of the chunk, but the last line of the file, that start like END_MARKER. */
  private earlyMarkers(chunk: Chunk, last: ContentLine | undefined): ConfigurationError[] {
    const problems: ConfigurationError[] = [];
    for (const match of chunk.text.matchAll(MARKER_LIKE)) {
      const line = chunk.firstLine + countLines(chunk.text.slice(0, match.index));
      if (last && line === last.line) continue;
      problems.push(
        this.problem(
          line,
          '(end)',
          last && last.line > line && isMarkerLine(chunk.text, match.index)
            ? `"${END_MARKER}" must be the last line, but line ${last.line} follows it`
            : `only the last line may start with "${END_MARKER}" (a save cut short right there would look complete)`,
        ),
      );
    }
    return problems;
  }

  private unsafeCharacter(chunk: Chunk, index: number): ConfigurationError {
    const lineStart = chunk.text.lastIndexOf('\n', index - 1) + 1;
    const line = chunk.firstLine + countLines(chunk.text.slice(0, lineStart));
    const code = chunk.text.codePointAt(index)!;
    const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    const what =
      code === 0xfeff
        ? `a byte-order mark (${name})`
        : code <= 0x9f
          ? `the control character ${name}`
          : `the invisible formatting character ${name}`;
    return this.problem(
      line,
      '(text)',
      `has ${what} at column ${index - lineStart + 1}: policy files are plain text (save without a byte-order mark; remove the character)`,
    );
  }

  private problem(line: number, key: string, message: string): ConfigurationError {
    return new ConfigurationError(`${this.label}:${line}`, key, message);
  }
}

/** The whole text of decoded chunks (for the small files: models and access-control.yaml). */
export function wholeText(decoded: DecodedText): string {
  return decoded.chunks.map((c) => c.text).join('');
}

/** A line that is not blank, trimmed, with its number. */
interface ContentLine {
  readonly text: string;
  readonly line: number;
}

/** The last line that is not blank, trimmed, with its number. */
function lastContentLine(chunks: readonly Chunk[]): ContentLine | undefined {
  for (let i = chunks.length - 1; i >= 0; i--) {
    const { text, firstLine } = chunks[i]!;
    const end = text.trimEnd().length;
    if (end === 0) continue;
    const start = text.lastIndexOf('\n', end - 1) + 1;
    return {
      text: text.slice(start, end).trim(),
      line: firstLine + countLines(text.slice(0, start)),
    };
  }
  return undefined;
}

function isMarkerLine(text: string, index: number): boolean {
  const end = text.indexOf('\n', index);
  return text.slice(index, end === -1 ? text.length : end).trim() === END_MARKER;
}

/** How many "\n" the text holds. */
function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The number of the first line that is not valid UTF-8. */
function firstNonUtf8Line(bytes: Buffer): number {
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const end = bytes.indexOf(NEWLINE, start);
    const stop = end === -1 ? bytes.length : end;
    if (!isUtf8(bytes.subarray(start, stop))) return line;
    start = stop + 1;
  }
  return line;
}
