/**
 * Audit trails for the reader's tests: records in the shipped default format, escaped by the
 * IdP's own formatter and sealed with the chain trailer (or not), written as the IdP and its
 * rotation name them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { GENESIS_HASH, sealRecord } from '../../../src/audit/chain/audit-chain.js';
import { AuditFormatter, parseAuditFormat } from '../../../src/audit/audit-format.js';

export const DEFAULT_FORMAT =
  '%a|%ST|%T|%u|%SP|%i|%ac|%t|%attr|%n|%f|%SSO|%XX|%XA|%b|%bb|%e|%S|%SS|%s|%UA|%uu|%ut|%utc|%P|%tx|%act|%det';

export type Rec = Record<string, string | string[]>;

const formatter = new AuditFormatter(parseAuditFormat(DEFAULT_FORMAT));

export function formatRecord(rec: Rec, format = formatter): string {
  return format.format(
    new Map(Object.entries(rec).map(([k, v]) => [k, typeof v === 'string' ? [v] : v])),
  );
}

/** Lines of `records`, chained from `from` (seq numbers continue across calls with the same chain). */
export class Chain {
  private prev = GENESIS_HASH;
  private seq = 0;

  lines(records: readonly Rec[]): string[] {
    return records.map((r) => {
      const sealed = sealRecord(formatRecord(r), ++this.seq, this.prev);
      this.prev = sealed.link.hash;
      return sealed.line;
    });
  }
}

export function tempDir(prefix = 'audit-reader-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes lines to dir/name, gzip-compressed when the name ends in .gz. */
export function writeLines(dir: string, name: string, lines: readonly string[]): string {
  const file = path.join(dir, name);
  const text = lines.map((l) => `${l}\n`).join('');
  writeFileSync(file, name.endsWith('.gz') ? gzipSync(text) : text);
  return file;
}

/** A release to `rp` at `T` (yyyyMMdd'T'HHmmss'Z'); `as` makes it an impersonation of that account. */
export function release(T: string, user: string, rp: string, as?: string): Rec {
  const base = { T, SP: rp, P: 'SAML2/SSO', act: 'release', S: 'Success', tx: `tx-${T}` };
  return as ? { ...base, u: as, uu: user, ut: as, utc: as } : { ...base, u: user };
}

export function refusal(T: string, user: string, rp: string, target: string, e: string): Rec {
  return { T, SP: rp, u: user, ut: target, utc: target, P: 'SAML2/SSO', act: 'refuse', e };
}
