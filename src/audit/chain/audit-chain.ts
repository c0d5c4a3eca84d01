/**
 * The audit chain's line format, shared by the writer and `audit verify` (docs/auditing.md,
 * "Tamper evidence"). With the chain on, every line is
 *
 *   <record in the configured format>|<seq>|<hash>
 *
 * seq: the record's number, 1 for the first record ever, continuing across restarts and rotated
 * files. hash: base64url (43 characters) of SHA-256(previous record's hash, 32 bytes ‖ the UTF-8
 * bytes of everything on the line before the last "|"), i.e. over the escaped record and its seq.
 * The first record's previous hash is 32 zero bytes. The chain is not keyed: anyone can recompute
 * it, so it shows edits to whoever did not recompute it; what makes it binding is the checkpoints,
 * signed with the audit key (audit-checkpoint.ts).
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH: Buffer = Buffer.alloc(32);
const HASH_CHARS = 43;

export interface ChainLink {
  readonly seq: number;
  readonly hash: Buffer;
}

/** SHA-256(prev ‖ UTF-8 content). */
export function chainHash(prev: Buffer, content: string): Buffer {
  return createHash('sha256').update(prev).update(content, 'utf8').digest();
}

/** The line (without its line break) for `record` as record number `seq` after `prev`. */
export function sealRecord(
  record: string,
  seq: number,
  prev: Buffer,
): { line: string; link: ChainLink } {
  const content = `${record}|${seq}`;
  const hash = chainHash(prev, content);
  return { line: `${content}|${hash.toString('base64url')}`, link: { seq, hash } };
}

export interface ParsedChainLine {
  /** The record as formatted (the configured format's fields). */
  readonly record: string;
  /** What the hash covers: the record, "|" and the seq. */
  readonly content: string;
  readonly seq: number;
  readonly hash: Buffer;
}

/** The chain trailer of a line, or undefined when the line does not end in one. */
export function parseChainLine(line: string): ParsedChainLine | undefined {
  const hashBar = line.lastIndexOf('|');
  if (hashBar < 0 || line.length - hashBar - 1 !== HASH_CHARS) return undefined;
  const seqBar = line.lastIndexOf('|', hashBar - 1);
  if (seqBar < 0) return undefined;
  const seqText = line.slice(seqBar + 1, hashBar);
  if (!/^[1-9][0-9]{0,15}$/.test(seqText)) return undefined;
  const hashText = line.slice(hashBar + 1);
  if (!/^[A-Za-z0-9_-]{43}$/.test(hashText)) return undefined;
  return {
    record: line.slice(0, seqBar),
    content: line.slice(0, hashBar),
    seq: Number(seqText),
    hash: Buffer.from(hashText, 'base64url'),
  };
}

/** `p` is the record right after `link` (after the genesis when `link` is undefined). */
export function continuesChain(
  link: ChainLink | undefined,
  p: ParsedChainLine | undefined,
): boolean {
  return (
    p !== undefined &&
    p.seq === (link?.seq ?? 0) + 1 &&
    chainHash(link?.hash ?? GENESIS_HASH, p.content).equals(p.hash)
  );
}
