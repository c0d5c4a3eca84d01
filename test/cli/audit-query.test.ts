/**
 * `audit query` and `audit summary` in process (runAuditCli with its output captured) on trails
 * written by the IdP's own formatter and chain: each filter, two nodes merged in time order, the
 * three output formats (CSV's quoting and formula guard, JSON's escapes, the table's safe cells),
 * the summary's counts, and an unreadable gzip reported while the rest is read.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAuditCli } from '../../src/cli/audit.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import {
  Chain,
  refusal,
  release,
  tempDir,
  writeLines,
  type Rec,
} from '../audit/trail/audit-trail.js';

const SP = 'https://sp.example.org/shibboleth';
const RP = 'https://rp.example.org';

async function audit(argv: string[]) {
  let stdout = '';
  const stderr: string[] = [];
  const out = {
    write: (t: string) => void (stdout += t),
    flush: () => Promise.resolve(),
    err: (l: string) => void stderr.push(l),
    closed: () => false,
  };
  const code = await runAuditCli([...argv, '--conf', DEFAULT_CONF_DIR], { out, env: {} });
  return { code, stdout, stderr };
}

async function jsonl(argv: string[]) {
  const run = await audit([...argv, '--format', 'jsonl']);
  expect(run.stderr).toEqual([]);
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, string> & { fields: Record<string, string> });
}

const control: Rec = {
  T: '20240501T000000Z',
  P: 'Audit',
  act: 'open',
  det: ['prevSeq=0', 'prev=GENESIS'],
};

/** Node A: rotated day 1 (gzip) and current file; node B: one current file. */
function twoNodes() {
  const a = tempDir('audit-node-a-');
  const b = tempDir('audit-node-b-');
  const chainA = new Chain();
  writeLines(
    a,
    'idp-audit-2024-05-01.log.gz',
    chainA.lines([
      control,
      release('20240501T090000Z', 'alice', SP, 'bob'),
      refusal('20240501T091000Z', 'erin', SP, 'admin', 'ImpersonationViolation'),
    ]),
  );
  writeLines(
    a,
    'idp-audit.log',
    chainA.lines([
      { ...control, T: '20240502T000000Z' },
      release('20240502T100000Z', 'dave', RP),
      {
        T: '20240502T110000Z',
        u: 'carol',
        P: 'Authn/Login',
        act: 'login',
        e: 'InvalidCredentials',
      },
    ]),
  );
  writeLines(
    b,
    'idp-audit.log',
    new Chain().lines([
      release('20240501T093000Z', 'alice', RP, 'carol'),
      {
        T: '20240502T103000Z',
        u: 'alice',
        ut: 'bob',
        utc: 'bob',
        P: 'SAML2/SSO',
        act: 'choose',
        det: ['choice=impersonate'],
      },
    ]),
  );
  return { a, b };
}

describe('audit query', () => {
  const { a, b } = twoNodes();

  it("merges two nodes in time order, leaving out the chain's control records", async () => {
    const rows = await jsonl(['query', a, b]);
    expect(rows.map((r) => [r.time, r.node, r.actor, r.target, r.action])).toEqual([
      ['2024-05-01T09:00:00Z', a, 'alice', 'bob', 'release'],
      ['2024-05-01T09:10:00Z', a, 'erin', 'admin', 'refuse'],
      ['2024-05-01T09:30:00Z', b, 'alice', 'carol', 'release'],
      ['2024-05-02T10:00:00Z', a, 'dave', '', 'release'],
      ['2024-05-02T10:30:00Z', b, 'alice', 'bob', 'choose'],
      ['2024-05-02T11:00:00Z', a, 'carol', '', 'login'],
    ]);
    expect(rows[0]).toMatchObject({ line: 2, seq: 2, rp: SP, profile: 'SAML2/SSO' });
    expect(rows[0]!.fields).toMatchObject({ u: 'bob', uu: 'alice', utc: 'bob' });
    const all = await jsonl(['query', a, '--include-control']);
    expect(all.filter((r) => r.profile === 'Audit')).toHaveLength(2);
  });

  it.each([
    [
      ['--actor', 'alice'],
      ['09:00', '09:30', '10:30'],
    ],
    [
      ['--target', 'bob'],
      ['09:00', '10:30'],
    ],
    [['--target', 'admin'], ['09:10']],
    [
      ['--rp', RP],
      ['09:30', '10:00'],
    ],
    [
      ['--event', 'ImpersonationViolation,InvalidCredentials'],
      ['09:10', '11:00'],
    ],
    [
      ['--action', 'login', '--action', 'choose'],
      ['10:30', '11:00'],
    ],
    [['--impersonation-only'], ['09:00', '09:10', '09:30', '10:30']],
    [['--refusals-only'], ['09:10', '11:00']],
    [
      ['--since', '2024-05-01T09:10:00Z', '--until', '2024-05-02T10:30:00'],
      ['09:10', '09:30', '10:00'],
    ],
    [
      ['--since', '20240502T000000Z'],
      ['10:00', '10:30', '11:00'],
    ],
    [
      ['--actor', 'alice', '--impersonation-only', '--action', 'release'],
      ['09:00', '09:30'],
    ],
  ])('filters %j', async (filter, times) => {
    const rows = await jsonl(['query', a, b, ...filter]);
    expect(rows.map((r) => r.time!.slice(11, 16))).toEqual(times);
  });

  it('takes relative times: --since 1h leaves out older records', async () => {
    expect(await jsonl(['query', a, b, '--since', '1h'])).toEqual([]);
    expect(await jsonl(['query', a, b, '--since', '52w'])).toEqual([]);
    expect((await jsonl(['query', a, b, '--until', '1w'])).length).toBe(6);
  });

  it('prints an aligned table by default', async () => {
    const run = await audit(['query', a, '--actor', 'alice']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time\s+node\s+actor\s+target\s+rp\s+profile\s+action\s+event\s+tx$/);
    expect(lines[1]).toMatch(
      /^2024-05-01T09:00:00Z {2}\S+\s+alice\s+bob\s+https:\/\/sp\.example\.org\/shibboleth {2}SAML2\/SSO {2}release\s+-\s+tx-20240501T090000Z$/,
    );
    expect(lines[1]!.indexOf('alice')).toBe(lines[0]!.indexOf('actor'));
  });
});

describe('outputs of hostile values', () => {
  const dir = tempDir();
  const evil = '=HYPERLINK("http://x","a,b")\n\u001b[31m\u202e';
  writeLines(
    dir,
    'idp-audit.log',
    new Chain().lines([
      { T: '20240501T090000Z', u: '+bob', uu: evil, SP: '@rp', P: 'SAML2/SSO', act: 'release' },
    ]),
  );

  it('CSV: RFC 4180 quoting, a quote before formula starts, no control characters', async () => {
    const run = await audit(['query', dir, '--format', 'csv']);
    const [header, row] = run.stdout.split('\r\n');
    expect(header).toBe('time,node,actor,target,rp,profile,action,event,tx,file,line,seq');
    expect(row).toBe(
      `2024-05-01T09:00:00Z,${dir},"'=HYPERLINK(""http://x"",""a,b"")\\n\\u001b[31m\\u202e",'+bob,'@rp,SAML2/SSO,release,,,${path.join(dir, 'idp-audit.log')},1,1`,
    );
  });

  it('JSON lines: the value exactly, invisible characters as \\u escapes', async () => {
    const run = await audit(['query', dir, '--format', 'jsonl']);
    expect(run.stdout).not.toMatch(/\u202e/);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).toContain('\\u202e');
    expect((JSON.parse(run.stdout) as { actor: string }).actor).toBe(evil);
  });

  it('JSON lines: every control character escaped, DEL and C1 too', async () => {
    const typed = tempDir();
    const name = '=cmd\u009b31m\u007f';
    writeLines(
      typed,
      'idp-audit.log',
      new Chain().lines([{ T: '20240501T090000Z', u: name, P: 'Authn/Login', act: 'login' }]),
    );
    const run = await audit(['query', typed, '--format', 'jsonl']);
    expect(run.stdout).not.toMatch(/[\u007f-\u009f]/);
    expect(run.stdout).toContain('"actor":"=cmd\\u009b31m\\u007f"');
    expect((JSON.parse(run.stdout) as { actor: string }).actor).toBe(name);
  });

  it('table: cells made safe for the terminal, one line per record', async () => {
    const run = await audit(['query', dir]);
    expect(run.stdout).not.toMatch(/\u202e/);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(run.stdout).toContain('=HYPERLINK("http://x","a,b")\\n\\u001b[31m\\u202e');
  });
});

describe('audit summary', () => {
  const { a, b } = twoNodes();

  it('counts impersonations and refusals per actor, target, relying party and day', async () => {
    const run = await audit(['summary', a, b, '--format', 'csv']);
    expect(run.stdout.split('\r\n').filter(Boolean)).toEqual([
      'group,key,impersonations,refusals',
      'actor,alice,2,0',
      'actor,carol,0,1',
      'actor,erin,0,1',
      'target,,0,1',
      'target,admin,0,1',
      'target,bob,1,0',
      'target,carol,1,0',
      `rp,${SP},1,1`,
      'rp,,0,1', // a failed login names no relying party
      `rp,${RP},1,0`,
      'day,2024-05-01,2,1',
      'day,2024-05-02,0,1',
    ]);
    const table = await audit(['summary', a, b, '--actor', 'alice']);
    expect(table.stdout).toMatch(/^By actor:\nactor\s+impersonations\s+refusals\nalice\s+2\s+0\n/);
    expect(table.stdout).toContain('By day:');
  });
});

describe('unreadable files', () => {
  it('reports a corrupt gzip and a partial line on stderr, prints the rest, exits 1', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'idp-audit-2024-05-01.log.gz'), 'not gzip\n');
    const [line] = new Chain().lines([release('20240502T100000Z', 'dave', RP)]);
    writeFileSync(path.join(dir, 'idp-audit.log'), `${line}\n${line!.slice(0, 40)}`);
    const run = await audit(['query', dir, '--format', 'jsonl']);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stderr[0]).toMatch(
      /idp-audit-2024-05-01\.log\.gz: unreadable after line 0: incorrect header check/,
    );
    expect(run.stderr[1]).toMatch(/idp-audit\.log:2: partial line/);
  });
});

describe('--since and rotated files', () => {
  it('skips a rotated file whose next file was opened on a day before --since (not even decompressed)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'idp-audit-2024-04-29.log.gz'), 'corrupt, but never read\n');
    const chain = new Chain();
    // Opened 04-30, closed on 05-01 when the next file was opened: read, its records filtered.
    writeLines(
      dir,
      'idp-audit-2024-04-30.log.gz',
      chain.lines([release('20240430T235959Z', 'alice', SP, 'erin')]),
    );
    writeLines(
      dir,
      'idp-audit-2024-05-01.log.gz',
      chain.lines([release('20240501T235959Z', 'alice', SP, 'bob')]),
    );
    writeLines(
      dir,
      'idp-audit.log',
      chain.lines([release('20240502T000001Z', 'alice', SP, 'carol')]),
    );
    const rows = await jsonl(['query', dir, '--since', '2024-05-01T12:00:00Z']);
    expect(rows.map((r) => r.target)).toEqual(['bob', 'carol']);
    const all = await audit(['query', dir, '--format', 'jsonl']);
    expect(all.code).toBe(1); // without --since the corrupt file is read, and reported
    expect(all.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('reads a rotated file named before --since that holds later days (size-only rotation)', async () => {
    const dir = tempDir();
    const chain = new Chain();
    // Opened on 03-04 and rotated by size only: its name is the day it was opened.
    writeLines(
      dir,
      'idp-audit-2031-03-04.log',
      chain.lines([
        release('20310304T230000Z', 'alice', SP, 'erin'),
        release('20310305T100000Z', 'alice', SP, 'bob'),
        release('20310306T100000Z', 'alice', SP, 'carol'),
        release('20310307T100000Z', 'alice', SP, 'dave'),
      ]),
    );
    writeLines(
      dir,
      'idp-audit.log',
      chain.lines([release('20310307T200000Z', 'alice', SP, 'frank')]),
    );
    const rows = await jsonl(['query', dir, '--since', '2031-03-05']);
    expect(rows.map((r) => r.target)).toEqual(['bob', 'carol', 'dave', 'frank']);
  });
});

describe('an interrupted compression (both X.log and X.log.gz)', () => {
  it('reads each record once', async () => {
    const dir = tempDir();
    const chain = new Chain();
    const day1 = chain.lines([release('20240501T090000Z', 'alice', SP, 'bob')]);
    writeLines(dir, 'idp-audit-2024-05-01.log', day1);
    writeLines(dir, 'idp-audit-2024-05-01.log.gz', day1);
    writeLines(dir, 'idp-audit.log', chain.lines([release('20240502T090000Z', 'alice', RP)]));
    const rows = await jsonl(['query', dir]);
    expect(rows.map((r) => r.time)).toEqual(['2024-05-01T09:00:00Z', '2024-05-02T09:00:00Z']);
  });
});

describe('a line longer than 1 MiB', () => {
  it('is reported with its file and line on stderr, the lines around it read, exit 1', async () => {
    const dir = tempDir();
    const [a, b] = new Chain().lines([
      release('20240501T090000Z', 'alice', SP, 'bob'),
      release('20240501T100000Z', 'alice', SP, 'carol'),
    ]);
    writeFileSync(path.join(dir, 'idp-audit.log'), `${a}\n${'x'.repeat(5 << 20)}\n${b}\n`);
    const run = await audit(['query', dir, '--format', 'jsonl']);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(2);
    expect(run.stderr).toEqual([
      `${path.join(dir, 'idp-audit.log')}:2: a line longer than 1 MiB (5242880 bytes), skipped`,
    ]);
  });
});
