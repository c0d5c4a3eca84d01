/**
 * Shibboleth's audit format: a string of %field tokens (`%` + [A-Za-z0-9-]+, `%%` for a literal %)
 * and literal text. Field values are escaped so that no value can forge a separator, a second
 * value or a line break: %, comma, control characters, anything non-ASCII that could render as a
 * separator, `|` (the chain's separator) and every character the format itself uses as literal
 * text are percent-encoded (UTF-8, as in URLs), so `decodeURIComponent` gives the original value
 * back.
 */
export type FormatToken = { readonly field: string } | { readonly literal: string };

export function parseAuditFormat(format: string): FormatToken[] {
  const tokens: FormatToken[] = [];
  let literal = '';
  for (let i = 0; i < format.length;) {
    if (format.startsWith('%%', i)) {
      literal += '%';
      i += 2;
      continue;
    }
    const field = format[i] === '%' ? /^[A-Za-z0-9-]+/.exec(format.slice(i + 1))?.[0] : undefined;
    if (field) {
      if (literal) tokens.push({ literal });
      literal = '';
      tokens.push({ field });
      i += 1 + field.length;
    } else {
      literal += format[i];
      i += 1;
    }
  }
  if (literal) tokens.push({ literal });
  return tokens;
}

export class AuditFormatter {
  private readonly unsafe: RegExp;

  constructor(
    readonly tokens: readonly FormatToken[],
    private readonly replacements: ReadonlyMap<string, string> = new Map(),
  ) {
    const literalChars = new Set(tokens.flatMap((t) => ('literal' in t ? [...t.literal] : [])));
    literalChars.add('%');
    literalChars.add(',');
    // The chain's trailer (|seq|hash) follows the record whatever the format: a value must never
    // be able to end a line with something that reads as one.
    literalChars.add('|');
    const escaped = [...literalChars].map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');
    // Control and format characters, line/paragraph separators, and the format's own literals.
    this.unsafe = new RegExp(`[${escaped}\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]`, 'gu');
  }

  format(fields: ReadonlyMap<string, readonly string[]>): string {
    return this.tokens
      .map((t) => {
        if ('literal' in t) return t.literal;
        const values = fields.get(t.field) ?? [];
        return values.map((v) => this.escape(this.replacements.get(v) ?? v)).join(',');
      })
      .join('');
  }

  private escape(value: string): string {
    return value.replace(this.unsafe, (ch) =>
      [...Buffer.from(ch, 'utf8')]
        .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join(''),
    );
  }
}

/** Shibboleth's default audit time format, yyyyMMdd'T'HHmmss'Z', in UTC. */
export function auditTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
