/** Shared set-up of the audit chain tests: a writer over a temporary folder, and line checks. */
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { chainHash, GENESIS_HASH, parseChainLine } from '../../../src/audit/chain/audit-chain.js';
import { keyIdOf } from '../../../src/audit/chain/audit-checkpoint.js';
import {
  AuditChainWriter,
  type AuditChainOptions,
} from '../../../src/audit/chain/audit-chain-writer.js';
import { controlFormatter } from '../../../src/audit/chain/audit-control-records.js';
import { AuditFormatter, parseAuditFormat } from '../../../src/audit/audit-format.js';
import { FileAuditSink } from '../../../src/audit/file-audit-sink.js';
import type { AuditSigningKey } from '../../../src/credentials/audit-signing-key.js';

export const FORMAT =
  '%a|%ST|%T|%u|%SP|%i|%ac|%t|%attr|%n|%f|%SSO|%XX|%XA|%b|%bb|%e|%S|%SS|%s|%UA|%uu|%ut|%utc|%P|%tx|%act|%det';
const formatter = new AuditFormatter(parseAuditFormat(FORMAT));

export function testKey(): AuditSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function tempAuditFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'audit-chain-')), 'logs', 'idp-audit.log');
}

/** A settable clock. */
export function clock(iso: string) {
  const c = { ms: Date.parse(iso), now: () => c.ms, set: (at: string) => (c.ms = Date.parse(at)) };
  return c;
}

export async function openChain(
  file: string,
  key: AuditSigningKey,
  options: Partial<AuditChainOptions> = {},
): Promise<FileAuditSink> {
  return (await openChainWriter(file, key, options)).sink;
}

/** openChain, also handing back the chain writer (to reach its file). */
export async function openChainWriter(
  file: string,
  key: AuditSigningKey,
  options: Partial<AuditChainOptions> = {},
): Promise<{ sink: FileAuditSink; writer: AuditChainWriter }> {
  const now = options.now ?? Date.now;
  const writer = await AuditChainWriter.open({
    file,
    key,
    control: controlFormatter(formatter, now),
    checkpointRecords: 1000,
    checkpointIntervalMs: 300_000,
    rotateDaily: true,
    rotateMaxSize: 0,
    compress: true,
    maxHistoryDays: 0,
    now,
    ...options,
  });
  return { sink: new FileAuditSink(file, writer), writer };
}

/** A record of the default format for user `u`. */
export function record(u: string, pad = 0): string {
  return formatter.format(
    new Map([
      ['u', [u]],
      ['P', ['SAML2/SSO']],
      ['act', ['release']],
      ['UA', ['x'.repeat(pad)]],
    ]),
  );
}

export function linesOf(file: string): string[] {
  const bytes = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return text.split('\n').filter((l) => l !== '');
}

/** Field values of a line of the default format (trailer stripped). */
export function fieldsOf(
  line: string,
): Record<'e' | 'P' | 'act' | 'u', string> & { det: string[] } {
  const f = (parseChainLine(line)?.record ?? line).split('|');
  return {
    e: f[16]!,
    u: f[3]!,
    P: f[24]!,
    act: f[26]!,
    det: f[27] ? f[27].split(',').map(decodeURIComponent) : [],
  };
}

export function det(line: string, key: string): string | undefined {
  return fieldsOf(line)
    .det.find((d) => d.startsWith(`${key}=`))
    ?.slice(key.length + 1);
}

/** Asserts that `lines` form one unbroken chain from seq 1 (or from `from`). */
export function expectChained(
  lines: readonly string[],
  from: { seq: number; hash: Buffer } = { seq: 0, hash: GENESIS_HASH },
): void {
  let prev = from;
  for (const line of lines) {
    const parsed = parseChainLine(line);
    expect(parsed, line).toBeDefined();
    expect(parsed!.seq).toBe(prev.seq + 1);
    expect(parsed!.hash.equals(chainHash(prev.hash, parsed!.content)), line).toBe(true);
    prev = { seq: parsed!.seq, hash: parsed!.hash };
  }
}

/** Asserts that `line` is a checkpoint over `covered` whose signature verifies with `key`. */
export function expectSignedCheckpoint(line: string, covered: string, key: AuditSigningKey): void {
  expect(fieldsOf(line)).toMatchObject({ P: 'Audit', act: 'checkpoint' });
  const c = parseChainLine(covered)!;
  expect(det(line, 'covers')).toBe(String(c.seq));
  expect(det(line, 'hash')).toBe(c.hash.toString('base64url'));
  expect(det(line, 'key')).toBe(key.keyId);
  const payload = Buffer.from(`idp-audit-checkpoint|${c.seq}|${c.hash.toString('base64url')}`);
  const sig = Buffer.from(det(line, 'sig')!, 'base64url');
  expect(verify(null, payload, key.publicKey, sig)).toBe(true);
}
