/**
 * No decision ever sees a half-loaded policy. Two policy versions, A and B, each with answers
 * known from casbin for a fixed set of requests, replace each other (with a broken edit now and
 * then) while decisions keep being made between every step of every rebuild. Each answer must be
 * the answer of the version in force at that moment — so never one neither version gives, and
 * never a deny that only an incomplete policy would give.
 *
 * The same check, run against casbin's own in-place loadPolicy() over an adapter that streams its
 * rows (as a database adapter does), finds violations: the check can fail.
 */
import {
  newEnforcer,
  newModelFromString,
  StringAdapter,
  type Adapter,
  type Enforcer,
  type Model,
} from 'casbin';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePolicy, seededRandom } from '../../bench/policy-generator.js';
import type { AccessRequest } from '../../src/access/access-control.js';
import { CUSTOM_FUNCTIONS } from '../../src/access/casbin-functions.js';
import { nextTurn } from '../../src/access/engine/cooperative.js';
import { ReloadableAccessControlService } from '../../src/access/reloadable-access-control.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { POLICY, policyConf } from './policy-conf.js';

const MODEL = readFileSync(
  path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'),
  'utf8',
);
type Version = 'A' | 'B';

interface Fixture {
  readonly csv: Record<Version, string>;
  readonly requests: readonly AccessRequest[];
  /** casbin's answer to each request under each version. */
  readonly answers: Record<Version, readonly boolean[]>;
}

async function fixture(rows: number, requestCount: number): Promise<Fixture> {
  const a = generatePolicy({ rows, seed: 21, shape: 'mixed', users: 120 });
  const b = generatePolicy({ rows, seed: 22, shape: 'mixed', users: 120 });
  const csv = { A: plain(a.csv), B: plain(b.csv) };
  const random = seededRandom(23);
  const requests = Array.from({ length: requestCount }, (_, i) =>
    (i % 2 === 0 ? a : b).request(random),
  );
  const answersOf = async (csv: string) => {
    const enforcer = await casbin(csv);
    return requests.map((r) => enforcer.enforceSync(...values(r)));
  };
  return { csv, requests, answers: { A: await answersOf(csv.A), B: await answersOf(csv.B) } };
}

async function casbin(csv: string, adapter: Adapter = new StringAdapter(csv)): Promise<Enforcer> {
  const enforcer = await newEnforcer(newModelFromString(MODEL), adapter);
  for (const [name, fn] of Object.entries(CUSTOM_FUNCTIONS)) await enforcer.addFunction(name, fn);
  return enforcer;
}

function values(r: AccessRequest): unknown[] {
  return [
    r.subject,
    r.attributes,
    r.relyingParty,
    r.operation,
    r.resource,
    r.targetAttributes ?? {},
    r.level ?? '',
  ];
}

interface Hammering {
  decisions: number;
  /** Decisions made while a reload was under way. */
  duringReload: number;
  violations: string[];
}

/**
 * Makes decisions between every turn of the event loop until `reloads` finishes. `decide` returns
 * the answer and, when it knows it, the version in force when it answered.
 */
async function hammer(
  f: Fixture,
  decide: (r: AccessRequest) => { allowed: boolean; version?: Version },
  reloads: (reloading: (on: boolean) => void) => Promise<void>,
): Promise<Hammering> {
  const result: Hammering = { decisions: 0, duringReload: 0, violations: [] };
  let reloading = false;
  let done = false;
  let i = 0;
  const pump = (async () => {
    while (!done) {
      for (let k = 0; k < 4; k++, i = (i + 1) % f.requests.length) {
        const { allowed, version } = decide(f.requests[i]!);
        const a = f.answers.A[i]!;
        const b = f.answers.B[i]!;
        result.decisions++;
        if (reloading) result.duringReload++;
        const expected = version ? f.answers[version][i] : undefined;
        if ((expected !== undefined && allowed !== expected) || (a === b && allowed !== a)) {
          if (result.violations.length < 5)
            result.violations.push(
              `request #${i} ${JSON.stringify(f.requests[i])}: ${allowed}, A ${a}, B ${b}, in force ${version ?? '?'}`,
            );
        }
      }
      await nextTurn();
    }
  })();
  await reloads((on) => (reloading = on));
  done = true;
  await pump;
  return result;
}

describe('reloading under load', () => {
  it('answers every decision from one complete version, never from a half-loaded one', async () => {
    const f = await fixture(1500, 400);
    expect(f.answers.A.filter((a, i) => a && f.answers.B[i]).length).toBeGreaterThan(20); // allowed by both: a partial policy would deny
    expect(f.answers.A.filter((a, i) => a !== f.answers.B[i]).length).toBeGreaterThan(20);
    const conf = policyConf(f.csv.A);
    const service = await ReloadableAccessControlService.start({
      confDir: conf.confDir,
      lookup: () => undefined,
      log: conf.log,
      watch: false,
      signal: null,
      pacing: { yieldEvery: 64 },
    });
    const versionOf = new Map<number, Version>([[1, 'A']]);
    const policy = service.getInstance(POLICY);

    const run = await hammer(
      f,
      (r) => ({
        allowed: policy.checkAccess(r).allowed,
        version: versionOf.get(service.generation),
      }),
      async (reloading) => {
        for (let k = 0; k < 16; k++) {
          const version: Version = k % 2 === 0 ? 'B' : 'A';
          const broken = k % 5 === 4;
          conf.write(broken ? `${f.csv[version]}p, half, written\n` : f.csv[version]);
          if (!broken) versionOf.set(service.generation + 1, version);
          reloading(true);
          const result = await service.reload();
          reloading(false);
          expect(result.ok).toBe(!broken);
        }
      },
    );
    service.close();
    expect(run.violations).toEqual([]);
    expect(run.duringReload).toBeGreaterThan(200);
    expect(service.generation).toBeGreaterThan(10);
  }, 60_000);

  it('the same check catches casbin reloading in place (loadPolicy clears the rules first)', async () => {
    const f = await fixture(300, 200);
    const rows: Record<Version, string[]> = {
      A: f.csv.A.split('\n').filter(Boolean),
      B: f.csv.B.split('\n').filter(Boolean),
    };
    let serving: Version = 'A';
    const streaming: Adapter = {
      // Hands casbin the rows a few at a time, as a database adapter does with a result stream.
      async loadPolicy(model: Model) {
        for (const [n, line] of rows[serving].entries()) {
          const [type, ...values] = line.split(', ') as [string, ...string[]];
          model.model.get(type.slice(0, 1))?.get(type)?.policy.push(values);
          if (n % 10 === 0) await nextTurn();
        }
      },
      savePolicy: () => Promise.resolve(false),
      addPolicy: () => Promise.resolve(),
      removePolicy: () => Promise.resolve(),
      removeFilteredPolicy: () => Promise.resolve(),
    };
    const enforcer = await casbin(f.csv.A, streaming);
    const run = await hammer(
      f,
      (r) => ({ allowed: enforcer.enforceSync(...values(r)) }),
      async (reloading) => {
        for (let k = 0; k < 4; k++) {
          serving = k % 2 === 0 ? 'B' : 'A';
          reloading(true);
          await enforcer.loadPolicy();
          reloading(false);
        }
      },
    );
    expect(run.violations.length).toBeGreaterThan(0);
    // Between reloads casbin answers like the version it loaded: only the reloads were wrong.
    expect(
      f.requests.filter((r, i) => enforcer.enforceSync(...values(r)) !== f.answers.A[i]),
    ).toEqual([]);
  }, 60_000);
});

/** The policy without its quoted rows (brace globs), so a plain split reads every row. */
function plain(csv: string): string {
  return csv
    .split('\n')
    .filter((l) => !l.includes('"'))
    .join('\n');
}
