/**
 * How `audit query` prints records: an aligned table for a person, JSON lines or CSV for a tool.
 *
 * Values are decoded (the percent-escapes undone), so what a user typed is back as typed: the
 * table and CSV cells go through safeForLog (no control or invisible formatting character reaches
 * the terminal or the spreadsheet), JSON escapes them losslessly as \uXXXX. CSV is RFC 4180, and a
 * cell that a spreadsheet would run as a formula (= + - @, tab, CR first) starts with a ' (OWASP).
 */
import type { MatchedRecord, AuditNode } from '../audit/trail/audit-merge.js';
import { AuditField as F } from '../audit/audit-fields.js';
import { decode } from '../audit/trail/audit-entry.js';
import { isoTime } from '../audit/trail/audit-time.js';
import { actorOf, targetOf } from '../audit/trail/audit-filter.js';
import { safeForLog } from '../logging/process-log.js';

export const OUTPUT_FORMATS = ['table', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Where output goes: write() buffers; flush() hands a full buffer to the consumer and waits until
 * it has taken it, flush(true) everything; closed() is true once the consumer has gone away.
 */
export interface AuditOut {
  write(text: string): void;
  flush(all?: boolean): Promise<void>;
  err(line: string): void;
  closed(): boolean;
}

const COLUMNS = ['time', 'node', 'actor', 'target', 'rp', 'profile', 'action', 'event', 'tx'];
const CSV_COLUMNS = [...COLUMNS, 'file', 'line', 'seq'];
const JSON_COLUMNS = COLUMNS;

function columns(r: MatchedRecord, nodes: readonly AuditNode[]): string[] {
  const e = r.entry;
  return [
    isoTime(r.time),
    // The node the record names (%node), else the files it was read from.
    decode(e.value(F.NODE)) || (nodes[r.node]?.label ?? ''),
    decode(actorOf(e)),
    decode(targetOf(e)),
    e.value(F.RELYING_PARTY),
    e.value(F.PROFILE),
    e.value(F.ACTION),
    e.value(F.EVENT),
    e.value(F.TRANSACTION_ID),
  ];
}

export interface RecordWriter {
  records(batch: readonly MatchedRecord[]): void;
  end(): void;
}

export function recordWriter(
  format: OutputFormat,
  out: AuditOut,
  nodes: readonly AuditNode[],
): RecordWriter {
  if (format === 'jsonl')
    return { records: (b) => b.forEach((r) => out.write(jsonLine(r, nodes))), end: () => {} };
  if (format === 'csv') {
    out.write(csvRow(CSV_COLUMNS));
    return {
      records: (b) =>
        b.forEach((r) =>
          out.write(
            csvRow([
              ...columns(r, nodes),
              r.file.path,
              String(r.lineNo),
              String(r.entry.seq ?? ''),
            ]),
          ),
        ),
      end: () => {},
    };
  }
  const table = new TableWriter(out, COLUMNS);
  return {
    records: (b) => b.forEach((r) => table.row(columns(r, nodes))),
    end: () => table.end(),
  };
}

const q = JSON.stringify;

/** One record as JSON, written out by hand: a million records through JSON.stringify of objects was 5 times slower. */
function jsonLine(r: MatchedRecord, nodes: readonly AuditNode[]): string {
  const cells = columns(r, nodes);
  let json = '{';
  JSON_COLUMNS.forEach((name, i) => (json += `${q(name)}:${q(cells[i])},`));
  json += `"file":${q(r.file.path)},"line":${r.lineNo},"seq":${r.entry.seq ?? 'null'},"fields":{`;
  const { fields } = r.entry.layout;
  for (let i = 0; i < fields.length; i++) {
    const raw = r.entry.raw(fields[i]!);
    const value = raw.includes(',')
      ? `[${raw
          .split(',')
          .map((v) => q(decode(v)))
          .join(',')}]`
      : q(decode(raw));
    json += `${i === 0 ? '' : ','}${q(fields[i])}:${value}`;
  }
  return `${jsonSafeText(`${json}}}`)}\n`;
}

/** JSON with control characters, line separators and invisible formatting characters escaped (\uXXXX, still valid JSON). */
export function jsonSafe(value: unknown): string {
  return jsonSafeText(JSON.stringify(value));
}

function jsonSafeText(json: string): string {
  // JSON.stringify escapes the controls below U+0020 already; DEL and the C1 controls (U+0080–
  // U+009F: a terminal takes U+009B as an escape sequence's start) it leaves raw.
  if (!NON_ASCII.test(json)) return json;
  return json.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (ch) =>
    [...ch]
      .flatMap((c) => (c.length === 2 ? [c.charCodeAt(0), c.charCodeAt(1)] : [c.charCodeAt(0)]))
      .map((code) => `\\u${code.toString(16).padStart(4, '0')}`)
      .join(''),
  );
}

/** One CSV record (RFC 4180, CRLF), each cell made safe for a terminal and a spreadsheet. */
export function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

// What safeForLog may change: anything but printable ASCII.
const NON_ASCII = /[^\x20-\x7e]/;

/** safeForLog, skipped for the usual printable ASCII value. */
function safeCell(value: string): string {
  return NON_ASCII.test(value) ? safeForLog(value) : value;
}

function csvCell(value: string): string {
  let cell = safeCell(value);
  if (/^[=+\-@\t\r]/.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

const TABLE_BLOCK = 1000;

/**
 * A table printed as it comes, a block of rows at a time: columns as wide as the widest cell
 * so far; when a block needs wider columns the header is printed again above it.
 */
export class TableWriter {
  private block: string[][] = [];
  private widths: number[];
  private printed = false;

  constructor(
    private readonly out: AuditOut,
    private readonly header: readonly string[],
  ) {
    this.widths = header.map((h) => h.length);
  }

  row(cells: readonly string[]): void {
    this.block.push(cells.map((c) => (c === '' ? '-' : safeCell(c))));
    if (this.block.length >= TABLE_BLOCK) this.flushBlock();
  }

  end(): void {
    this.flushBlock();
    if (!this.printed) this.out.write(`${this.line(this.header)}\n(no records)\n`);
  }

  private flushBlock(): void {
    if (this.block.length === 0) return;
    let wider = !this.printed;
    for (const cells of this.block)
      cells.forEach((c, i) => {
        if (c.length > (this.widths[i] ?? 0)) {
          this.widths[i] = c.length;
          wider = true;
        }
      });
    if (wider) this.out.write(`${this.printed ? '\n' : ''}${this.line(this.header)}\n`);
    this.printed = true;
    for (const cells of this.block) this.out.write(`${this.line(cells)}\n`);
    this.block = [];
  }

  private line(cells: readonly string[]): string {
    return cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(this.widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  }
}
