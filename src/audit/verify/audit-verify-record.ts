/**
 * The chain's control records (P=Audit: open, start, checkpoint) read from a line in the configured
 * format. Values are escaped so that none contains a literal of the format, so splitting the record
 * on the format's literals, in order, gives each field exactly.
 */
import type { FormatToken } from '../audit-format.js';

export interface ControlRecord {
  readonly act: string;
  readonly det: ReadonlyMap<string, string>;
}

/** The raw (escaped) value of each field, or undefined when the record does not fit the format. */
function splitRecord(
  record: string,
  tokens: readonly FormatToken[],
): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  let pos = 0;
  let open: string | undefined;
  for (const token of tokens) {
    if ('field' in token) {
      // Two fields with no literal between cannot be told apart; the second one wins nothing.
      if (open !== undefined) fields.set(open, '');
      open = token.field;
      continue;
    }
    const at =
      open === undefined
        ? record.startsWith(token.literal, pos)
          ? pos
          : -1
        : record.indexOf(token.literal, pos);
    if (at < 0) return undefined;
    if (open !== undefined) fields.set(open, record.slice(pos, at));
    open = undefined;
    pos = at + token.literal.length;
  }
  if (open !== undefined) fields.set(open, record.slice(pos));
  else if (pos !== record.length) return undefined;
  return fields;
}

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** %det: `key=value` elements joined by `,`, each escaped. */
function parseDetails(value: string): Map<string, string> {
  const det = new Map<string, string>();
  for (const element of value.split(',')) {
    const text = decode(element);
    const eq = text?.indexOf('=') ?? -1;
    if (text !== undefined && eq > 0) det.set(text.slice(0, eq), text.slice(eq + 1));
  }
  return det;
}

/** Reads control records; knows whether the format can carry them at all. */
export class ControlReader {
  readonly usable: boolean;

  constructor(private readonly tokens: readonly FormatToken[]) {
    const fields = new Set(tokens.flatMap((t) => ('field' in t ? [t.field] : [])));
    this.usable = fields.has('P') && fields.has('act') && fields.has('det');
  }

  /** The record's control fields when it is one of the chain's own records (P=Audit). */
  read(record: string): ControlRecord | undefined {
    // Cheap test first: almost every line is not a control record.
    if (!this.usable || !record.includes('Audit')) return undefined;
    const fields = splitRecord(record, this.tokens);
    if (!fields || decode(fields.get('P') ?? '') !== 'Audit') return undefined;
    const act = decode(fields.get('act') ?? '') ?? '';
    return { act, det: parseDetails(fields.get('det') ?? '') };
  }
}
