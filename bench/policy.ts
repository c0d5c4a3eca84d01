/**
 * npm run bench:policy — decision speed of the access-control engine against plain casbin, and
 * reloads, on generated impersonation policies (the shipped model; "realistic" shape, see
 * policy-generator.ts) of 1k, 10k and 100k rules. One run prints two tables.
 *
 * Reloads: the policy file is replaced by a different policy of the same size (two generated
 * policies, A and B, alternating) and the running service reloads it, while a loop makes one
 * decision per turn of the event loop. The longest time between two turns is the longest a
 * decision waited — the stall a reload causes (its own work, and the garbage collections it
 * brings on). The same loop without a reload, as long, gives the machine's own stalls (a shared
 * machine deschedules the process now and then): a reload's stall can only be judged against it.
 *
 * Plain casbin evaluates the matcher on every row (about 5 µs a row here), so it gets a smaller
 * sample of the same requests at the larger sizes; the table says how many. Its answers on that
 * sample are compared with the engine's. Benchmarks are not tests: the suite checks correctness
 * (test/access/engine/differential-*.test.ts), this only reports speed.
 *
 * Each engine measurement starts after a warm-up pass and a full garbage collection (the script
 * runs with --expose-gc): the reload just before it leaves the previous snapshot — some 130 MB
 * at 100k rules — to be collected, which a running IdP does once per reload, not during every
 * decision. Without it the p99 measures that one collection.
 *
 *   npm run bench:policy [-- --sizes 1000,10000,100000 --queries 20000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin';
import type { AccessRequest } from '../src/access/access-control.js';
import type { AccessControl } from '../src/access/access-control.js';
import { CUSTOM_FUNCTIONS } from '../src/access/casbin-functions.js';
import { END_MARKER } from '../src/access/policy-text.js';
import { ReloadableAccessControlService } from '../src/access/reloadable-access-control.js';
import { createProcessLog } from '../src/logging/process-log.js';
import { DEFAULT_CONF_DIR } from '../src/core/paths.js';
import { generatePolicy, seededRandom } from './policy-generator.js';

const POLICY = 'BenchPolicy';
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    queries: { type: 'string', default: '20000' },
    reloads: { type: 'string', default: '4' },
  },
});
const sizes = args.sizes.split(',').map(Number);
const queries = Number(args.queries);
/** Reloads of a different policy at each size (A → B → A …). */
const reloadCount = Number(args.reloads);
/** Requests plain casbin gets at each size (its cost grows with the rows). */
const casbinSample = (rows: number) => Math.max(5, Math.min(queries, Math.round(500_000 / rows)));

interface Row {
  rules: string;
  engine: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  load: string;
}

interface ReloadRow {
  rules: string;
  reloads: number;
  medianMs: number;
  maxMs: number;
  /** Longest wait of a decision while the reloads ran, and how many waits exceeded 10 ms. */
  stallMs: number;
  stallsOver10: number;
  decisions: number;
  /** The same decision loop, as long, with no reload: the machine's own longest wait. */
  idleStallMs: number;
  idleStallsOver10: number;
}

const modelText = readFileSync(
  path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'),
  'utf8',
);
const home = mkdtempSync(path.join(tmpdir(), 'bench-policy-'));
const log = createProcessLog({
  file: path.join(home, 'process.log'),
  fileLevel: 'WARN',
  consoleLevel: 'ERROR',
  console: false,
});
const table: Row[] = [];
const reloadTable: ReloadRow[] = [];
const notes: string[] = [];
const loadBefore = loadavg();

for (const size of sizes) {
  const generated = generatePolicy({ rows: size, seed: 42, shape: 'realistic' });
  const other = generatePolicy({ rows: size, seed: 43, shape: 'realistic' });
  const random = seededRandom(size);
  const requests = Array.from({ length: queries }, () => generated.request(random));
  const confDir = writeConf(path.join(home, String(size)), generated.csv);

  let started = performance.now();
  const service = await ReloadableAccessControlService.start({
    confDir,
    lookup: () => undefined,
    log,
    watch: false,
    signal: null,
  });
  const startMs = performance.now() - started;
  const policy = service.getInstance(POLICY);
  const rules = `${size.toLocaleString('en')} (+${generated.roleRows.toLocaleString('en')} g)`;
  reloadTable.push({
    rules,
    ...(await measureReloads(service, policy, requests, path.join(confDir, 'policy.csv'), [
      other.csv,
      generated.csv,
    ])),
  });
  const status = service.status().policies[0]!;
  const engineAnswers = requests.map((r) => policy.checkAccess(r).allowed); // also warms up
  collectGarbage();
  const engine = measure(requests, (r) => policy.checkAccess(r));
  table.push({
    rules,
    engine: status.indexed ? 'engine (indexed)' : 'engine (casbin fallback)',
    requests: queries,
    ...engine,
    load: `start ${seconds(startMs)}`,
  });

  started = performance.now();
  const enforcer = await newEnforcer(
    newModelFromString(modelText),
    new StringAdapter(generated.csv),
  );
  for (const [name, fn] of Object.entries(CUSTOM_FUNCTIONS)) await enforcer.addFunction(name, fn);
  const casbinLoadMs = performance.now() - started;
  const sample = requests.slice(0, casbinSample(size));
  collectGarbage();
  const syncResult = measure(sample, (r) => enforcer.enforceSync(...values(r)));
  table.push({
    rules,
    engine: 'casbin enforceSync',
    requests: sample.length,
    ...syncResult,
    load: `newEnforcer ${seconds(casbinLoadMs)}`,
  });
  table.push({
    rules,
    engine: 'casbin enforce (async)',
    requests: sample.length,
    ...(await measureAsync(sample, enforcer)),
    load: '',
  });

  const differing = sample.filter(
    (r, i) => enforcer.enforceSync(...values(r)) !== engineAnswers[i],
  ).length;
  const allowed = engineAnswers.filter(Boolean).length;
  notes.push(
    `${size.toLocaleString('en')} rules: ${Math.round((100 * allowed) / queries)}% of requests allowed; plain casbin sampled ${sample.length} of ${queries} requests; ` +
      `answers ${differing === 0 ? 'identical' : `DIFFERENT on ${differing}`} on the sample`,
  );
  service.close();
}

const cores = availableParallelism();
const load = (l: number[]) => l.map((n) => n.toFixed(2)).join(' ');
console.log(
  `Access-control decisions: ${cpus()[0]?.model ?? 'cpu'}, ${cores} core${cores === 1 ? '' : 's'}, Node ${process.version}; load average ${load(loadBefore)} before, ${load(loadavg())} after`,
);
if (!('gc' in globalThis))
  console.log(
    '(run with node --expose-gc, as npm run bench:policy does, for steady-state figures)',
  );
console.log('');
console.log(
  `Reloads of a different policy of the same size (A → B → A …), while one decision is made per turn of the event loop:`,
);
console.log('');
console.log(
  '| rules (p rows + role rows) | reloads | reload s (median, max) | longest decision stall, ms | stalls > 10 ms | decisions meanwhile | no reload: longest stall, ms (stalls > 10 ms) |',
);
console.log('|---|---:|---|---:|---:|---:|---|');
for (const r of reloadTable) {
  console.log(
    `| ${r.rules} | ${r.reloads} | ${seconds(r.medianMs)}, ${seconds(r.maxMs)} | ${r.stallMs.toFixed(1)} | ${r.stallsOver10} | ${r.decisions.toLocaleString('en')} | ${r.idleStallMs.toFixed(1)} (${r.idleStallsOver10}) |`,
  );
}
console.log('');
console.log('Decisions, after a reload and a full garbage collection:');
console.log('');
console.log(
  '| rules (p rows + role rows) | decided by | requests | decisions/s | p50 ms | p99 ms | load |',
);
console.log('|---|---|---:|---:|---:|---:|---|');
for (const r of table) {
  console.log(
    `| ${r.rules} | ${r.engine} | ${r.requests} | ${Math.round(r.perSecond).toLocaleString('en')} | ${fixed(r.p50)} | ${fixed(r.p99)} | ${r.load} |`,
  );
}
console.log('');
for (const n of notes) console.log(`- ${n}`);
await log.close();
rmSync(home, { recursive: true, force: true });

/**
 * Reloads `count` times, writing the texts in turn, while a loop makes a decision on every turn of
 * the event loop; then runs the loop as long again without reloading. Returns the reload times and
 * the longest waits between turns.
 */
async function measureReloads(
  service: ReloadableAccessControlService,
  policy: AccessControl,
  requests: readonly AccessRequest[],
  file: string,
  texts: readonly string[],
) {
  const times: number[] = [];
  const during = decisionLoop(policy, requests);
  // No forced collection here: collecting the snapshots the reloads replace is part of their cost.
  for (let k = 0; k < reloadCount; k++) {
    writeFileSync(file, texts[k % texts.length]!);
    during.resume();
    const started = performance.now();
    const result = await service.reload();
    times.push(performance.now() - started);
    during.pause();
    if (!result.ok) throw new Error(result.errors?.join('\n'));
  }
  const reloads = await during.stop();
  // The machine's own stalls: the loop alone, as long, after the reloads' garbage is collected.
  collectGarbage();
  const idle = decisionLoop(policy, requests);
  idle.resume();
  await new Promise((resolve) =>
    setTimeout(
      resolve,
      times.reduce((a, b) => a + b, 0),
    ),
  );
  const quiet = await idle.stop();
  times.sort((a, b) => a - b);
  return {
    reloads: times.length,
    medianMs: times[Math.floor(times.length / 2)]!,
    maxMs: times[times.length - 1]!,
    stallMs: reloads.longest,
    stallsOver10: reloads.over10,
    decisions: reloads.decisions,
    idleStallMs: quiet.longest,
    idleStallsOver10: quiet.over10,
  };
}

/** One decision per turn of the event loop, measuring how long each turn waited for the previous one to end. */
function decisionLoop(policy: AccessControl, requests: readonly AccessRequest[]) {
  let running = false;
  let stopped = false;
  let last = 0;
  let i = 0;
  const result = { longest: 0, over10: 0, decisions: 0 };
  let done: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const turn = () => {
    if (stopped) return done();
    if (running) {
      const waited = performance.now() - last;
      if (waited > result.longest) result.longest = waited;
      if (waited > 10) result.over10++;
      policy.checkAccess(requests[i++ % requests.length]!);
      result.decisions++;
    }
    last = performance.now();
    setImmediate(turn);
  };
  setImmediate(turn);
  return {
    resume: () => {
      running = true;
      last = performance.now();
    },
    pause: () => (running = false),
    stop: async () => {
      stopped = true;
      await finished;
      return result;
    },
  };
}

/** A full collection before a measurement, when the script runs with --expose-gc (npm run bench:policy does). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function values(r: AccessRequest): unknown[] {
  return [r.subject, r.attributes, r.relyingParty, r.operation, r.resource];
}

function measure(requests: readonly AccessRequest[], decide: (r: AccessRequest) => unknown) {
  const times: number[] = [];
  const started = performance.now();
  for (const r of requests) {
    const t = performance.now();
    decide(r);
    times.push(performance.now() - t);
  }
  return stats(times, performance.now() - started);
}

async function measureAsync(requests: readonly AccessRequest[], enforcer: Enforcer) {
  const times: number[] = [];
  const started = performance.now();
  for (const r of requests) {
    const t = performance.now();
    await enforcer.enforce(...values(r));
    times.push(performance.now() - t);
  }
  return stats(times, performance.now() - started);
}

function stats(times: number[], totalMs: number) {
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { perSecond: (times.length * 1000) / totalMs, p50: at(0.5), p99: at(0.99) };
}

function writeConf(dir: string, csv: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.conf'), modelText);
  writeFileSync(path.join(dir, 'policy.csv'), csv);
  writeFileSync(
    path.join(dir, 'access-control.yaml'),
    `policies:\n  ${POLICY}:\n    model: model.conf\n    policy: policy.csv\n${END_MARKER}\n`,
  );
  return dir;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function fixed(ms: number): string {
  return ms < 0.1 ? ms.toFixed(4) : ms < 10 ? ms.toFixed(3) : ms.toFixed(1);
}
