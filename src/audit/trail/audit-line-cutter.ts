/**
 * Cutting a file's bytes, block after block, into runs of whole lines. A line that spans blocks
 * is gathered piece by piece and joined once, when its line break comes: a long line costs time in
 * proportion to its length. A line longer than MAX_LINE is not kept at all — only counted — and is
 * reported and skipped; a file without line breaks costs no more memory than any other.
 */

/** The longest line delivered; a longer one is reported and skipped. */
export const MAX_LINE = 1 << 20;

// Runs of lines handed on in pieces of at most 64 KiB: a piece's text then fits V8's young
// generation. A string of 128 KiB to 1 MiB is a large object, allocated from fresh pages each
// time: decoding 256 KiB at a time was 30 times slower here than 64 KiB.
const PIECE = 64 << 10;
const NL = 0x0a;

/** A run of whole lines of one file, as bytes (the line breaks between them kept, none at the end). */
export interface ByteChunk {
  /** The line number of the first line. */
  readonly firstLineNo: number;
  readonly lineCount: number;
  readonly bytes: Buffer;
  /** The last line has no line break (the file's end: a write cut short). */
  readonly partialLast: boolean;
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

/** The line begun in an earlier block: its pieces, none kept once it is longer than MAX_LINE. */
class OpenLine {
  private parts: Buffer[] = [];
  /** The line's length so far, in bytes. */
  size = 0;

  add(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > MAX_LINE) this.parts = [];
    else this.parts.push(bytes);
  }

  /** The line's bytes (undefined when longer than MAX_LINE); the next line begins empty. */
  take(): Buffer | undefined {
    const bytes = this.size > MAX_LINE ? undefined : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return bytes;
  }
}

export class LineCutter {
  /** The last line cut (delivered or skipped). */
  lineNo = 0;
  private readonly open = new OpenLine();

  constructor(private readonly skipped: (lineNo: number, bytes: number) => void) {}

  /** Bytes of the line begun and not yet ended. */
  get pending(): number {
    return this.open.size;
  }

  /** The whole lines that `block`, the file's next bytes, completes. */
  *cut(block: Buffer): Generator<ByteChunk> {
    let from = 0;
    if (this.open.size > 0) {
      const first = block.indexOf(NL);
      if (first === -1) {
        this.open.add(block);
        return;
      }
      this.open.add(block.subarray(0, first));
      from = first + 1;
      yield* this.lines(this.open.size, this.open.take());
    }
    const last = block.lastIndexOf(NL);
    if (last >= from)
      for (const piece of pieces(block.subarray(from, last)))
        yield* this.lines(piece.length, piece.length > MAX_LINE ? undefined : piece); // one line (see pieces)
    // A copy: the line begun here does not keep the whole block alive.
    this.open.add(Buffer.from(block.subarray(Math.max(last + 1, from))));
  }

  /** The line left without a line break at the file's end (its bytes dropped when too long). */
  end(): ByteChunk | undefined {
    if (this.open.size === 0) return undefined;
    const bytes = this.open.take() ?? Buffer.alloc(0);
    return { firstLineNo: this.lineNo + 1, lineCount: 1, bytes, partialLast: true };
  }

  /** `bytes` as a run of lines, or one line of `size` bytes skipped when undefined. */
  private *lines(size: number, bytes: Buffer | undefined): Generator<ByteChunk> {
    if (bytes === undefined) {
      this.lineNo += 1;
      this.skipped(this.lineNo, size);
      return;
    }
    const lineCount = countLines(bytes);
    yield { firstLineNo: this.lineNo + 1, lineCount, bytes, partialLast: false };
    this.lineNo += lineCount;
  }
}
