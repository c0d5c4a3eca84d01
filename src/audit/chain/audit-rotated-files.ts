/**
 * Names of rotated audit files, as Shibboleth's logback names them: the current file
 * idp-audit.log becomes idp-audit-YYYY-MM-DD.log.gz at the first rotation of that UTC day (the day
 * of the records it holds), then idp-audit-YYYY-MM-DD.1.log.gz, .2 … for size rotations the same
 * day. Files left uncompressed (compression off, or interrupted) end in .log and are as valid.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { auditFilesIn } from '../trail/audit-files.js';

export interface RotatedFile {
  readonly path: string;
  readonly day: string;
  /** 0 for the file without an index. */
  readonly index: number;
  readonly compressed: boolean;
}

/** yyyy-MM-dd of `ms` in UTC. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function stemOf(current: string): string {
  const base = path.basename(current);
  return base.endsWith('.log') ? base.slice(0, -4) : base;
}

/** The rotated files beside `current`, oldest first (by day, then index; .log and .log.gz alike). */
export function rotatedFiles(current: string): RotatedFile[] {
  const dir = path.dirname(current);
  if (!existsSync(dir)) return [];
  // The names are read as the `audit` command reads them (audit-files.ts), an interrupted
  // compression's plain file included (the reader leaves it out); only the order of such a pair
  // differs: here the plain file, which compression deletes last, last.
  return auditFilesIn(dir, stemOf(current))
    .flatMap((f) =>
      f.date === undefined
        ? []
        : [{ path: f.path, day: f.date, index: f.index, compressed: f.compressed }],
    )
    .sort((a, b) =>
      a.day !== b.day
        ? a.day.localeCompare(b.day)
        : a.index - b.index || Number(b.compressed) - Number(a.compressed),
    );
}

/** Where the current file goes when the records of `day` are rotated away (uncompressed name). */
export function nextRotatedPath(current: string, day: string): string {
  const taken = rotatedFiles(current).filter((f) => f.day === day);
  const index = taken.length === 0 ? 0 : Math.max(...taken.map((f) => f.index)) + 1;
  const name = `${stemOf(current)}-${day}${index === 0 ? '' : `.${index}`}.log`;
  return path.join(path.dirname(current), name);
}
