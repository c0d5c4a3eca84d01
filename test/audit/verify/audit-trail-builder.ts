/**
 * Builds chained audit trails the way the chain writer lays them out (docs: issue 9 design): every
 * file opens with an `open` record, checkpoints every N records and at rotation/shutdown, signed
 * with a real Ed25519 key; rotated files gzip-compressed under logback's names. Tampering helpers
 * change the lines as an editor would, then `writeTrail` puts them on disk.
 */
import { sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  GENESIS_HASH,
  parseChainLine,
  sealRecord,
  type ChainLink,
} from '../../../src/audit/chain/audit-chain.js';
import { AuditFormatter, parseAuditFormat } from '../../../src/audit/audit-format.js';
import { checkpointPayload, keyIdOf } from '../../../src/audit/chain/audit-checkpoint.js';
import { nodeFiles, type AuditFile } from '../../../src/audit/trail/audit-files.js';

export const FORMAT = parseAuditFormat(
  '%a|%ST|%T|%u|%SP|%i|%ac|%t|%attr|%n|%f|%SSO|%XX|%XA|%b|%bb|%e|%S|%SS|%s|%UA|%uu|%ut|%utc|%P|%tx|%act|%det',
);
const formatter = new AuditFormatter(FORMAT);

export interface TrailFile {
  name: string;
  lines: string[];
  compressed: boolean;
  /** The last line has no line break. */
  partialEnd?: boolean;
}

export interface BuildOptions {
  /** Ordinary records in each file (the last file is the current one). */
  readonly records: readonly number[];
  readonly checkpointEvery?: number;
  /** Signs checkpoints (defaults to the key pair's private key). */
  readonly signWith?: KeyObject;
  /** A crash in this file after this many of its records: a partial line, then a start record. */
  readonly crash?: { readonly file: number; readonly afterRecord: number };
  readonly uncompressed?: readonly number[];
}

export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

function record(fields: Record<string, string | string[]>): string {
  const map = new Map(Object.entries(fields).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  return formatter.format(map);
}

class Writer {
  link: ChainLink = { seq: 0, hash: GENESIS_HASH };
  sinceCheckpoint = 0;
  lines: string[] = [];

  constructor(
    private readonly keys: KeyPair,
    private readonly signWith: KeyObject,
  ) {}

  write(text: string): void {
    const { line, link } = sealRecord(text, this.link.seq + 1, this.link.hash);
    this.lines.push(line);
    this.link = link;
    this.sinceCheckpoint += 1;
  }

  open(previousFile: string): void {
    const prev = this.link.seq === 0 ? 'GENESIS' : this.link.hash.toString('base64url');
    this.write(
      control('open', [`prevSeq=${this.link.seq}`, `prev=${prev}`, `previousFile=${previousFile}`]),
    );
  }

  ordinary(): void {
    const n = this.link.seq + 1;
    // A value with the format's separator and a comma: escaping keeps the split exact.
    const user = n % 3 === 0 ? `al|ice,${n}` : `user${n}`;
    this.write(
      record({
        a: '192.0.2.7',
        T: '20240101T000000Z',
        u: user,
        SP: 'https://sp.example.org',
        P: 'SAML2/SSO',
        tx: `tx${n}`,
        act: 'release',
        det: ['choice=self'],
      }),
    );
  }

  checkpoint(reason: string): void {
    const hash = this.link.hash.toString('base64url');
    const sig = sign(
      null,
      Buffer.from(checkpointPayload(this.link.seq, hash)),
      this.signWith,
    ).toString('base64url');
    const key = keyIdOf(this.keys.publicKey);
    this.write(
      control('checkpoint', [
        `reason=${reason}`,
        `covers=${this.link.seq}`,
        `hash=${hash}`,
        `key=${key}`,
        `sig=${sig}`,
      ]),
    );
    this.sinceCheckpoint = 0;
  }

  crash(): void {
    const { line } = sealRecord(
      record({ u: 'lost', act: 'release' }),
      this.link.seq + 1,
      this.link.hash,
    );
    const partial = line.slice(0, Math.floor(line.length / 2));
    this.lines.push(partial);
    const det = [
      'node=test-host',
      `partialLine=${this.lines.length}`,
      `partialBytes=${partial.length}`,
    ];
    this.write(control('start', det, 'AuditTrailRecovered'));
  }
}

function control(act: string, det: string[], e = ''): string {
  return record({ T: '20240101T000000Z', P: 'Audit', act, det, e });
}

function fileName(i: number, count: number): string {
  return i === count - 1
    ? 'idp-audit.log'
    : `idp-audit-2024-01-${String(i + 1).padStart(2, '0')}.log`;
}

export function buildTrail(keys: KeyPair, options: BuildOptions): TrailFile[] {
  const writer = new Writer(keys, options.signWith ?? keys.privateKey);
  const every = options.checkpointEvery ?? 4;
  const files: TrailFile[] = [];
  options.records.forEach((count, i) => {
    const last = i === options.records.length - 1;
    const compressed = !last && !options.uncompressed?.includes(i);
    writer.lines = [];
    writer.open(files.at(-1)?.name ?? '');
    for (let r = 0; r < count; r++) {
      if (options.crash?.file === i && options.crash.afterRecord === r) writer.crash();
      writer.ordinary();
      if (writer.sinceCheckpoint >= every) writer.checkpoint('interval');
    }
    writer.checkpoint(last ? 'shutdown' : 'rotation');
    const name = fileName(i, options.records.length) + (compressed ? '.gz' : '');
    files.push({ name, lines: writer.lines, compressed });
  });
  return files;
}

export function writeTrail(
  files: readonly TrailFile[],
  dir = mkdtempSync(path.join(tmpdir(), 'audit-verify-')),
): { dir: string; files: AuditFile[] } {
  for (const f of files) {
    const text = f.lines.join('\n') + (f.partialEnd ? '' : '\n');
    writeFileSync(path.join(dir, f.name), f.compressed ? gzipSync(text) : text);
  }
  return { dir, files: nodeFiles(dir) };
}

/** A copy of the trail, to tamper with. */
export function copyTrail(files: readonly TrailFile[]): TrailFile[] {
  return files.map((f) => ({ ...f, lines: [...f.lines] }));
}

/** Lines are numbered from 1, as verify reports them. */
export const tamper = {
  /** Changes a value (the client address field) and leaves the seq and hash as they were. */
  edit(f: TrailFile, line: number): void {
    f.lines[line - 1] = `x${f.lines[line - 1]}`;
  },
  delete(f: TrailFile, line: number): void {
    f.lines.splice(line - 1, 1);
  },
  insert(f: TrailFile, line: number, text: string): void {
    f.lines.splice(line - 1, 0, text);
  },
  swap(f: TrailFile, line: number): void {
    const [a, b] = [f.lines[line - 1]!, f.lines[line]!];
    f.lines.splice(line - 1, 2, b, a);
  },
  /** Keeps the first `keep` lines. */
  truncate(f: TrailFile, keep: number): void {
    f.lines.length = keep;
  },
  /** Cuts the file in the middle of its last line. */
  cutLastLine(f: TrailFile): void {
    const last = f.lines.at(-1)!;
    f.lines[f.lines.length - 1] = last.slice(0, Math.floor(last.length / 2));
    f.partialEnd = true;
  },
  /** Edits a record and recomputes the chain after it, as someone without the audit key could. */
  editAndReseal(f: TrailFile, line: number): void {
    let prev = parseChainLine(f.lines[line - 2]!)!.hash;
    for (let i = line - 1; i < f.lines.length; i++) {
      const parsed = parseChainLine(f.lines[i]!)!;
      const text = i === line - 1 ? `x${parsed.record}` : parsed.record;
      const sealed = sealRecord(text, parsed.seq, prev);
      f.lines[i] = sealed.line;
      prev = sealed.link.hash;
    }
  },
};
