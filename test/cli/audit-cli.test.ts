/**
 * The `audit` command as a child process (node bin/audit.js, as the package bin runs it): its
 * help and wrong usage, and the question auditors ask — who impersonated whom, where, when —
 * answered from the audit log of a real IdP run (SAML logins pressing the impersonate form).
 * The IdP's writer may or may not add the chain trailer and control records: both are read.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/paths.js';
import { Browser, type Page } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { TestSp } from '../support/test-sp.js';

const SP = 'https://sp.demo.example.org/shibboleth';

function runAudit(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('IDP_') && !k.startsWith('DEMO_')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(PROJECT_ROOT, 'bin/audit.js'), ...args],
      { cwd: PROJECT_ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe('audit: usage', () => {
  it("prints its help, and each command's", async () => {
    const help = await runAudit(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage:\n {2}audit query/);
    const query = await runAudit(['query', '--help']);
    expect(query.code).toBe(0);
    expect(query.stdout).toContain('--impersonation-only');
    expect((await runAudit(['summary', '-h'])).stdout).toMatch(/^Usage: audit summary/);
    expect((await runAudit(['verify', '--help'])).stdout).toContain('--public-key FILE');
  });

  it.each([
    [[], /Usage:/],
    [['frobnicate'], /audit: unknown command frobnicate/],
    [['query', '--colour'], /Unknown option '--colour'/],
    [['query', '--since', 'last tuesday'], /--since "last tuesday": expected ISO 8601/],
    [['query', '--format', 'xml'], /--format xml: expected one of table, jsonl, csv/],
    [['verify', '--actor', 'x'], /audit verify: unexpected option --actor/],
    [['query', '/no/such/logs'], /\/no\/such\/logs: no such file or folder/],
  ])('exits 2 on %j', async (args, message) => {
    const run = await runAudit(args);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(message);
  });
});

describe('audit on a real run', () => {
  let t: TestIdp;
  let sp: TestSp;

  async function login(
    username: string,
    password: string,
  ): Promise<{ browser: Browser; form: Page }> {
    const browser = new Browser();
    const page = await browser.get(await sp.loginURL());
    const form = await browser.submit(
      page,
      { j_username: username, j_password: password },
      '_eventId_proceed',
    );
    return { browser, form };
  }

  beforeAll(async () => {
    t = await startTestIdp();
    sp = await TestSp.create(t.baseURL);
    const alice = await login('alice', 'demo-alice');
    await sp.receive(
      await alice.browser.submit(alice.form, { principal: 'bob' }, '_eventId_impersonate'),
    );
    const erin = await login('erin', 'demo-erin');
    await erin.browser.submit(erin.form, { principal: 'admin' }, '_eventId_impersonate'); // refused
    await sp.receive((await login('dave', 'demo-dave')).form); // no form: dave may not impersonate
  });
  afterAll(async () => t?.close());

  const logs = () => path.dirname(t.idp.config.properties.logs.auditFile);

  it('answers "who impersonated whom, where, when" with one command', async () => {
    const run = await runAudit([
      'query',
      logs(),
      '--conf',
      t.confDir,
      '--impersonation-only',
      '--format',
      'jsonl',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    const released = rows.filter((r) => r.action === 'release');
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ actor: 'alice', target: 'bob', rp: SP });
    expect(released[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(released[0]!.time!) - Date.now())).toBeLessThan(10 * 60_000);
    expect(rows.find((r) => r.event === 'ImpersonationViolation')).toMatchObject({
      actor: 'erin',
      target: 'admin',
      rp: SP,
    });
    expect(rows.some((r) => r.actor === 'dave')).toBe(false);
  });

  it('prints the same as a table, and counts it in the summary', async () => {
    const table = await runAudit([
      'query',
      t.idp.config.properties.logs.auditFile,
      '--conf',
      t.confDir,
      '--actor',
      'alice',
      '--impersonation-only',
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^time\s+node\s+actor\s+target\s+rp/);
    expect(table.stdout).toMatch(/\balice\s+bob\s+https:\/\/sp\.demo\.example\.org\/shibboleth\b/);
    const summary = await runAudit(['summary', logs(), '--conf', t.confDir, '--format', 'csv']);
    expect(summary.code).toBe(0);
    const lines = summary.stdout.split('\r\n');
    expect(lines).toContain('actor,alice,1,0');
    expect(lines).toContain('actor,erin,0,1');
    expect(lines).toContain('target,bob,1,0');
    expect(lines).toContain('target,admin,0,1');
  });

  it("verifies the run's trail, and names the line of an edit in a copy", async () => {
    const key = path.join(t.home, 'credentials', 'idp-audit.pub');
    const ok = await runAudit(['verify', logs(), '--conf', t.confDir, '--public-key', key]);
    expect(ok.stdout).toContain('OK through line');
    expect(ok.code).toBe(0);
    const copy = mkdtempSync(path.join(tmpdir(), 'audit-copy-'));
    cpSync(logs(), copy, { recursive: true });
    const file = path.join(copy, 'idp-audit.log');
    const lines = readFileSync(file, 'utf8').split('\n');
    const edited = lines.findIndex((l) => l.includes('|erin|'));
    lines[edited] = lines[edited]!.replace('|erin|', '|dave|');
    writeFileSync(file, lines.join('\n'));
    const bad = await runAudit(['verify', copy, '--conf', t.confDir, '--public-key', key]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`idp-audit.log: line ${edited + 1}: edited`);
    expect(bad.stdout).toMatch(/cannot detect/i);
  });
});
