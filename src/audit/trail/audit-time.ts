/**
 * Times as auditors type them (`audit query --since`, the auditors' page): ISO 8601 (no zone =
 * UTC, as the log), the log's own yyyyMMdd'T'HHmmss'Z', or an age (45s, 30m, 1h, 2d, 1w); and %T
 * shown back as ISO 8601.
 */
import { decode } from './audit-entry.js';
import { auditTimestamp } from '../audit-format.js';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const TIME_EXPECTED =
  'expected ISO 8601 (2024-05-01, 2024-05-01T09:30:00Z) or an age (30m, 1h, 2d, 1w)';

/** The audit timestamp `text` names, or undefined when it names none. */
export function parseAuditTime(text: string, now = Date.now()): string | undefined {
  const relative = /^(\d+)([smhdw])$/.exec(text);
  if (relative) return auditTimestamp(now - Number(relative[1]) * UNIT_MS[relative[2]!]!);
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const iso = compact
    ? `${compact[1]}-${compact[2]}-${compact[3]}T${compact[4]}:${compact[5]}:${compact[6]}Z`
    : /T[\d:.]+$/.test(text)
      ? `${text}Z`
      : text;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? undefined : auditTimestamp(ms);
}

/** %T as ISO 8601 (yyyy-MM-ddTHH:mm:ssZ); anything else as written. */
export function isoTime(t: string): string {
  if (!/^\d{8}T\d{6}Z$/.test(t)) return decode(t);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}Z`;
}
