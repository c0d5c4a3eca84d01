/**
 * The policy CLI on a generated configuration whose SpecificImpersonationPolicy has the shipped
 * rows plus 100,000 generated ones (bench/policy-generator.ts, "realistic" shape, keeping only rows
 * about generated accounts and relying parties, so the demo accounts' answers do not change):
 * validate, status, explain and test all work, as child processes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePolicy } from '../../bench/policy-generator.js';
import { hashPassword } from '../../src/directory/password-hash.js';
import { confCopy, runPolicy } from './run-policy.js';

const GENERATED_ROWS = 100_000;
let conf: string;
let policyLines: string[];
/** A generated row whose accounts are in the directory: u<a> may impersonate u<b> at an exact relying party. */
let row: { line: number; text: string; user: string; target: string; rp: string };

beforeAll(async () => {
  conf = confCopy();
  const policyFile = path.join(conf, 'access-control/specific-impersonation.policy.csv');
  const generated = generatePolicy({
    rows: GENERATED_ROWS + 3000,
    seed: 7,
    shape: 'realistic',
  }).csv.split('\n');
  const aboutGeneratedOnly = (l: string) => {
    const [who, , where] = l.split(', ').slice(1);
    return (
      who !== '*' &&
      !who?.startsWith('attr:') &&
      where !== '*' &&
      where !== '**' &&
      !where?.startsWith('attr:') &&
      !where?.startsWith('!')
    );
  };
  const pRows = generated
    .filter((l) => l.startsWith('p, ') && aboutGeneratedOnly(l))
    .slice(0, GENERATED_ROWS);
  const roleRows = generated.filter((l) => l.startsWith('g'));
  const shipped = readFileSync(policyFile, 'utf8').trimEnd().split('\n');
  const ending = shipped.splice(-2); // the note and the end marker stay the last lines
  policyLines = [...shipped, ...pRows, ...roleRows, ...ending];
  writeFileSync(policyFile, `${policyLines.join('\n')}\n`);

  const index = policyLines.findIndex(
    (l, i) =>
      i > 5000 &&
      /^p, u[1-9]\d*, u[1-9]\d*, https:\/\/app\d+\.example\.org\/shibboleth, impersonate, allow$/.test(
        l,
      ),
  );
  const [, user, target, rp] = policyLines[index]!.split(', ') as [string, string, string, string];
  row = { line: index + 1, text: policyLines[index]!, user, target, rp };
  const hash = await hashPassword('generated');
  const seed = path.join(conf, 'demo-users.yaml');
  writeFileSync(
    seed,
    `${readFileSync(seed, 'utf8').trimEnd()}\n${[user, target].map((u) => `  - username: ${u}\n    passwordHash: "${hash}"\n`).join('')}`,
  );
}, 60_000);

describe('the policy CLI at 100,000 rules', () => {
  it('validates the configuration', async () => {
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`SpecificImpersonationPolicy: ${GENERATED_ROWS + 4} p, \\d+ g, \\d+ g2; indexed`),
    );
  }, 60_000);

  it('reports its size and that it is indexed', async () => {
    const run = await runPolicy(['status', '--conf', conf]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`rules {3}${(GENERATED_ROWS + 4).toLocaleString('en')} p, [\\d,]+ g, [\\d,]+ g2`),
    );
    expect(run.stdout).toContain('engine  indexed: r.act == p.act');
  }, 60_000);

  it('explains a decision taken among 100,000 rules, naming the generated rule that matched', async () => {
    const run = await runPolicy([
      'explain',
      '--user',
      row.user,
      '--target',
      row.target,
      '--rp',
      row.rp,
      '--conf',
      conf,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `    allow  conf/access-control/specific-impersonation.policy.csv:${row.line}  ${row.text}`,
    );
    const decided =
      /decided by conf\/access-control\/specific-impersonation\.policy\.csv:(\d+) {2}(.*)/.exec(
        run.stdout.split('SpecificImpersonationPolicy')[1] ?? '',
      );
    expect(decided).not.toBeNull();
    expect(policyLines[Number(decided![1]) - 1]).toBe(decided![2]); // the line it names holds that rule
  }, 60_000);

  it('still explains the demo accounts as before', async () => {
    const run = await runPolicy([
      'explain',
      '--user',
      'erin',
      '--target',
      'admin',
      '--rp',
      'https://sp.demo.example.org/shibboleth',
      '--conf',
      conf,
    ]);
    expect(run.stdout).toContain(
      '  decided by conf/access-control/specific-impersonation.policy.csv:12  p, *, group:protected, *, impersonate, deny',
    );
    expect(run.stdout).toContain('Outcome: NO');
  }, 60_000);

  it('runs the shipped expectations', async () => {
    const run = await runPolicy([
      'test',
      path.join(conf, 'access-control/expectations.yaml'),
      '--conf',
      conf,
    ]);
    expect(run.stdout).not.toContain('FAIL');
    expect(run.code).toBe(0);
  }, 60_000);
});
