/**
 * One audit line read back: its fields by name (still escaped; decoded on demand — a query over a
 * million lines decodes only what it prints) and the chain trailer when the line has one.
 *
 * The layout comes from the format (parseAuditFormat). Since the formatter percent-encodes every
 * character the format uses as literal text, the first occurrence of the literal after a field
 * ends that field, exactly. Lines of an older, shorter format (Shibboleth's 22 fields, or 24 with
 * %ut|%utc) parse too: fields appended since then are empty. So do lines without a trailer.
 */
import { parseChainLine, type ParsedChainLine } from '../chain/audit-chain.js';
import { ConfigurationError } from '../../core/errors.js';
import type { FormatToken } from '../audit-format.js';

export interface AuditLayout {
  readonly fields: readonly string[];
  /** Field name → position. */
  readonly index: ReadonlyMap<string, number>;
  /**
   * Where the fields of text[0, end) lie: start and end offsets, two per field of the layout
   * (a field the line lacks: an empty range at `end`), then the number of fields found.
   */
  cut(text: string, end: number): Int32Array;
}

/** How to cut lines of `tokens`' format into fields. */
export function auditLayout(tokens: readonly FormatToken[]): AuditLayout {
  const fields = tokens.flatMap((t) => ('field' in t ? [t.field] : []));
  tokens.forEach((t, i) => {
    if ('field' in t && 'field' in (tokens[i + 1] ?? {}))
      throw new ConfigurationError(
        'audit.yaml',
        'format',
        `%${t.field} is followed directly by another field: the lines cannot be read back`,
      );
  });
  const index = new Map(fields.map((f, i) => [f, i]));
  const literals = tokens.flatMap((t) => ('literal' in t ? [t.literal] : []));
  const simple =
    'field' in (tokens[0] ?? {}) &&
    'field' in (tokens.at(-1) ?? {}) &&
    literals.every((l) => l === literals[0] && l.length === 1);
  const cut = simple
    ? (text: string, end: number) => cutAt(literals[0] ?? '\n', fields.length, text, end)
    : (text: string, end: number) => walk(tokens, fields.length, text, end);
  return { fields, index, cut };
}

/**
 * One separator between all fields: offsets found with indexOf, no strings made — a filter
 * looks at a few fields of each of a million lines, and slices only those.
 */
function cutAt(sep: string, n: number, text: string, end: number): Int32Array {
  const cuts = new Int32Array(2 * n + 1);
  let start = 0;
  let found = 0;
  while (found < n) {
    let stop = text.indexOf(sep, start);
    if (stop === -1 || stop > end) stop = end;
    cuts[2 * found] = start;
    cuts[2 * found + 1] = stop;
    found++;
    if (stop === end) break;
    start = stop + 1;
  }
  return missing(cuts, found, n, end);
}

function missing(cuts: Int32Array, found: number, n: number, end: number): Int32Array {
  for (let i = found; i < n; i++) cuts[2 * i] = cuts[2 * i + 1] = end;
  cuts[2 * n] = found;
  return cuts;
}

/** Cuts a record by the format's literals in turn; what is missing at the end stays missing. */
function walk(tokens: readonly FormatToken[], n: number, text: string, end: number): Int32Array {
  const cuts = new Int32Array(2 * n + 1);
  let found = 0;
  let at = 0;
  for (let i = 0; i < tokens.length && at <= end; i++) {
    const t = tokens[i]!;
    if ('literal' in t) {
      if (text.startsWith(t.literal, at)) at += t.literal.length;
      continue;
    }
    const next = tokens[i + 1];
    let stop = next && 'literal' in next ? text.indexOf(next.literal, at) : -1;
    if (stop === -1 || stop > end) stop = end;
    cuts[2 * found] = at;
    cuts[2 * found + 1] = stop;
    found++;
    at = stop === end ? end + 1 : stop;
  }
  return missing(cuts, found, n, end);
}

const SEQ = /^[1-9][0-9]{0,15}$/;
const HASH = /^[A-Za-z0-9_-]{43}$/;
const TRAILER_SEPARATOR = '|';

export class AuditEntry {
  private constructor(
    readonly layout: AuditLayout,
    /** The line as read. */
    readonly text: string,
    /** Where each field lies in the text (AuditLayout.cut). */
    private readonly cuts: Int32Array,
    /** The chain trailer's seq, when the line has one. */
    readonly seq: number | undefined,
  ) {}

  /** Parses one line; never fails (a damaged line yields what it has, missing fields empty). */
  static parse(layout: AuditLayout, text: string): AuditEntry {
    const hashBar = text.lastIndexOf(TRAILER_SEPARATOR);
    const seqBar = hashBar > 0 ? text.lastIndexOf(TRAILER_SEPARATOR, hashBar - 1) : -1;
    if (
      seqBar >= 0 &&
      text.length - hashBar - 1 === 43 &&
      HASH.test(text.slice(hashBar + 1)) &&
      SEQ.test(text.slice(seqBar + 1, hashBar))
    )
      return new AuditEntry(
        layout,
        text,
        layout.cut(text, seqBar),
        Number(text.slice(seqBar + 1, hashBar)),
      );
    return new AuditEntry(layout, text, layout.cut(text, text.length), undefined);
  }

  /** The escaped value of `field` ('' when the format or the line lacks it). */
  raw(field: string): string {
    const i = this.layout.index.get(field);
    return i === undefined ? '' : this.text.slice(this.cuts[2 * i], this.cuts[2 * i + 1]);
  }

  /** How many of the layout's fields the line has (an older format's line has fewer). */
  get fieldCount(): number {
    return this.cuts[this.cuts.length - 1]!;
  }

  /** The decoded values of `field` (a list field's values, one each). */
  values(field: string): string[] {
    const raw = this.raw(field);
    if (raw === '') return [];
    return raw.split(',').map(decode);
  }

  /** The decoded value of `field`, a list's values joined with ", ". */
  value(field: string): string {
    const raw = this.raw(field);
    if (!raw.includes('%') && !raw.includes(',')) return raw;
    return this.values(field).join(', ');
  }

  /** The chain trailer, parsed as `audit verify` reads it. */
  chain(): ParsedChainLine | undefined {
    return this.seq === undefined ? undefined : parseChainLine(this.text);
  }
}

/** Percent-decoding that keeps a malformed escape as written instead of failing the line. */
export function decode(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw.replace(/%[0-9A-Fa-f]{2}/g, (e) => {
      const code = parseInt(e.slice(1), 16);
      return code < 0x80 ? String.fromCharCode(code) : e;
    });
  }
}
