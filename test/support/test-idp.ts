/**
 * Starts a real IdP for a test: its own temporary home (data, logs, credentials), a free loopback
 * port, and either the shipped conf/ or a copy of it with files changed for the test.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseChainLine } from '../../src/audit/chain/audit-chain.js';
import { parseAuditFormat } from '../../src/audit/audit-format.js';
import { createIdp, type Idp } from '../../src/idp.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { freePort } from './free-port.js';

export interface TestIdpOptions {
  /** Property overrides (idp.properties keys). */
  readonly properties?: Record<string, string>;
  /** Files to replace in a copy of conf/ (path relative to conf/ → new content, or a function of the old). */
  readonly conf?: Record<string, string | ((old: string) => string)>;
  /** A configuration folder to use as it is (conf is then ignored): one shared by several nodes. */
  readonly confDir?: string;
  /** A credentials folder to copy into the new home first: another node of the same IdP. */
  readonly credentialsFrom?: string;
}

export interface TestIdp {
  readonly idp: Idp;
  readonly baseURL: string;
  readonly home: string;
  readonly confDir: string;
  /**
   * Records of the audit log, each split into its fields (Shibboleth's | separator): the chain's
   * control records (P=Audit) are left out and the chain trailer (seq, hash) is stripped, so the
   * fields are those of the configured format.
   */
  auditRecords(): string[][];
  /** The audit log's lines as written: control records and chain trailers included. */
  rawAuditLines(): string[];
  /** The last audit line as field → value (default format). */
  lastAudit(): ReturnType<typeof auditRecord>;
  processLog(): string;
  close(): Promise<void>;
}

export const DEFAULT_AUDIT_FIELDS = [
  'a',
  'ST',
  'T',
  'u',
  'SP',
  'i',
  'ac',
  't',
  'attr',
  'n',
  'f',
  'SSO',
  'XX',
  'XA',
  'b',
  'bb',
  'e',
  'S',
  'SS',
  's',
  'UA',
  'uu',
  'ut',
  'utc',
  'P',
  'tx',
  'act',
  'det',
  'node',
] as const;

/** An audit line of the default format as field → value. */
export function auditRecord(
  fields: string[],
): Record<(typeof DEFAULT_AUDIT_FIELDS)[number], string> {
  return Object.fromEntries(DEFAULT_AUDIT_FIELDS.map((f, i) => [f, fields[i] ?? ''])) as Record<
    (typeof DEFAULT_AUDIT_FIELDS)[number],
    string
  >;
}

/** A copy of the shipped conf/ in `confDir`, with `changes` applied. */
export function copyConf(
  confDir: string,
  changes: Record<string, string | ((old: string) => string)> = {},
): void {
  cpSync(DEFAULT_CONF_DIR, confDir, { recursive: true });
  for (const [file, change] of Object.entries(changes)) {
    const target = path.join(confDir, file);
    writeFileSync(
      target,
      typeof change === 'string' ? change : change(readFileSync(target, 'utf8')),
    );
  }
}

export async function startTestIdp(options: TestIdpOptions = {}): Promise<TestIdp> {
  const home = mkdtempSync(path.join(tmpdir(), 'idp-test-'));
  if (options.credentialsFrom)
    cpSync(options.credentialsFrom, path.join(home, 'credentials'), { recursive: true });
  let confDir = options.confDir ?? DEFAULT_CONF_DIR;
  if (options.conf && !options.confDir) {
    confDir = path.join(home, 'conf');
    copyConf(confDir, options.conf);
  }
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const idp = await createIdp({
    home,
    confDir,
    env: {},
    console: false,
    overrides: {
      'idp.port': String(port),
      'idp.baseURL': baseURL,
      'demo.sp.baseURL': 'http://127.0.0.1:9',
      ...options.properties,
    },
  });
  await idp.listen();
  const props = idp.config.properties;
  const rawAuditLines = () =>
    readFileSync(props.logs.auditFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  // Position of %P among the format's fields (formats of these tests separate fields with |).
  const profileAt = parseAuditFormat(idp.config.audit.format)
    .filter((t) => 'field' in t)
    .findIndex((t) => t.field === 'P');
  const auditRecords = () =>
    rawAuditLines()
      .map((l) => (parseChainLine(l)?.record ?? l).split('|'))
      .filter((fields) => profileAt < 0 || fields[profileAt] !== 'Audit');
  return {
    idp,
    baseURL,
    home,
    confDir,
    auditRecords,
    rawAuditLines,
    lastAudit: () => auditRecord(auditRecords().at(-1) ?? []),
    processLog: () => readFileSync(props.logs.processFile, 'utf8'),
    async close() {
      await idp.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
