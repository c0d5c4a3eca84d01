/**
 * Realistic audit trails for bench:audit: the default format with the chain trailer (sealRecord),
 * a mix shaped like a busy IdP — SAML and OIDC releases, token responses, logins (some failed),
 * impersonations and their refusals, offers and choices, a checkpoint every 1000 records —
 * written as one node's rotated files (gzip) and current file, one rotated day at a time.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { sealRecord, GENESIS_HASH } from '../src/audit/chain/audit-chain.js';
import { AuditFormatter, auditTimestamp, parseAuditFormat } from '../src/audit/audit-format.js';
import { seededRandom } from './policy-generator.js';

export const DEFAULT_FORMAT =
  '%a|%ST|%T|%u|%SP|%i|%ac|%t|%attr|%n|%f|%SSO|%XX|%XA|%b|%bb|%e|%S|%SS|%s|%UA|%uu|%ut|%utc|%P|%tx|%act|%det';

const formatter = new AuditFormatter(parseAuditFormat(DEFAULT_FORMAT));
const SPS = Array.from({ length: 40 }, (_, i) => `https://sp${i}.example.org/shibboleth`);
const UAS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export interface Generator {
  /** The next record's line (with trailer) at `ms`. */
  line(ms: number): string;
}

type Fields = Record<string, string | string[]>;
const TEMPLATES = 4096;
// Positions of the per-record values in the default format (filled in for each record).
const AT = { ST: 1, T: 2, t: 7, tx: 25 } as const;

/**
 * Records are drawn from a pool of varied records, formatted once (escaping as the IdP does);
 * each gets its own times, transaction id, seq and hash. Formatting a million records one by one
 * would take longer than reading them.
 */
export function auditGenerator(seed = 9): Generator {
  const rnd = seededRandom(seed);
  const id = (n: number) => {
    let text = '';
    for (let i = 0; i < n; i++) text += B64[Math.floor(rnd() * 64)];
    return text;
  };
  const pool = Array.from({ length: TEMPLATES }, () => format(randomRecord(rnd, id)).split('|'));
  let prev = GENESIS_HASH;
  let seq = 0;
  const seal = (record: string) => {
    const sealed = sealRecord(record, ++seq, prev);
    prev = sealed.link.hash;
    return sealed.line;
  };
  return {
    line(ms: number): string {
      const t = auditTimestamp(ms);
      if (seq % 1000 === 999)
        return seal(
          format({
            T: t,
            P: 'Audit',
            act: 'checkpoint',
            tx: id(16),
            det: [
              'reason=interval',
              `covers=${seq}`,
              `hash=${prev.toString('base64url')}`,
              'key=abcdEFGH12345678',
              `sig=${id(86)}`,
            ],
          }),
        );
      const parts = pool[Math.floor(rnd() * TEMPLATES)]!.slice();
      parts[AT.T] = t;
      if (parts[AT.ST]) parts[AT.ST] = t;
      if (parts[AT.t]) parts[AT.t] = t;
      parts[AT.tx] = id(16);
      return seal(parts.join('|'));
    },
  };
}

function format(fields: Fields): string {
  return formatter.format(
    new Map(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? [v] : v])),
  );
}

function randomRecord(rnd: () => number, id: (n: number) => string): Fields {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const user = () => `user${Math.floor(rnd() * 5000)}`;
  const r = rnd();
  const base = {
    a: `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`,
    ST: 'x',
    SP: pick(SPS),
    UA: pick(UAS),
    s: id(22),
  };
  const u = user();
  if (r < 0.1)
    return {
      ...base,
      SP: '',
      u,
      P: 'Authn/Login',
      act: 'login',
      e: rnd() < 0.2 ? 'InvalidCredentials' : '',
    };
  const release = {
    ...base,
    i: `_${id(32)}`,
    ac: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    t: 'x',
    attr: ['uid', 'mail', 'displayName', 'eduPersonEntitlement'],
    f: 'transient',
    b: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
    bb: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
    S: 'Success',
    P: r < 0.6 ? 'SAML2/SSO' : r < 0.75 ? 'OIDC/SSO' : 'OIDC/Token',
    act: 'release',
  };
  if (r < 0.8) return { ...release, u, n: u };
  const target = user();
  if (r < 0.85) return { ...release, u: target, n: target, uu: u, ut: target, utc: target };
  if (r < 0.88)
    return {
      ...base,
      u,
      ut: target,
      utc: target,
      P: 'SAML2/SSO',
      act: 'refuse',
      e: 'ImpersonationViolation',
      S: 'RequestDenied',
    };
  if (r < 0.94) return { ...base, u, P: 'SAML2/SSO', act: 'offer' };
  return { ...base, u, P: 'SAML2/SSO', act: 'choose', det: ['choice=self'] };
}

/** Writes `count` records starting at `startMs`, `stepMs` apart, to `file` (gzip when it ends in .gz). */
export async function writeRecords(
  gen: Generator,
  file: string,
  count: number,
  at: { startMs: number; stepMs: number },
): Promise<void> {
  function* lines() {
    let chunk = '';
    for (let i = 0; i < count; i++) {
      chunk += `${gen.line(at.startMs + i * at.stepMs)}\n`;
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  const sink = createWriteStream(file);
  if (path.extname(file) === '.gz') await pipeline(Readable.from(lines()), createGzip(), sink);
  else await pipeline(Readable.from(lines()), sink);
}
