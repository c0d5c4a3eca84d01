/**
 * npm run bench:policy — decision speed of the access-control engine against plain casbin, and
 * reload time, on generated impersonation policies (the shipped model; "realistic" shape, see
 * policy-generator.ts) of 1k, 10k and 100k rules. One run prints one table.
 *
 * Plain casbin evaluates the matcher on every row (about 5 µs a row here), so it gets a smaller
 * sample of the same requests at the larger sizes; the table says how many. Its answers on that
 * sample are compared with the engine's. Benchmarks are not tests: the suite checks correctness
 * (test/access/differential-*.test.ts), this only reports speed.
 *
 * Each engine measurement starts after a warm-up pass and a full garbage collection (the script
 * runs with --expose-gc): the reload just before it leaves the previous snapshot — some 130 MB
 * at 100k rules — to be collected, which a running IdP does once per reload, not during every
 * decision. Without it the p99 measures that one collection.
 *
 *   npm run bench:policy [-- --sizes 1000,10000,100000 --queries 20000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin';
import type { AccessRequest } from '../src/access/access-control.js';
import { CUSTOM_FUNCTIONS } from '../src/access/casbin-functions.js';
import { ReloadableAccessControlService } from '../src/access/reloadable-access-control.js';
import { createProcessLog } from '../src/logging/process-log.js';
import { DEFAULT_CONF_DIR } from '../src/paths.js';
import { generatePolicy, seededRandom } from './policy-generator.js';

const POLICY = 'BenchPolicy';
const { values: args } = parseArgs({
  options: { sizes: { type: 'string', default: '1000,10000,100000' }, queries: { type: 'string', default: '20000' } },
});
const sizes = args.sizes.split(',').map(Number);
const queries = Number(args.queries);
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

const modelText = readFileSync(path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'), 'utf8');
const home = mkdtempSync(path.join(tmpdir(), 'bench-policy-'));
const log = createProcessLog({ file: path.join(home, 'process.log'), fileLevel: 'WARN', consoleLevel: 'ERROR', console: false });
const table: Row[] = [];
const notes: string[] = [];

for (const size of sizes) {
  const generated = generatePolicy({ rows: size, seed: 42, shape: 'realistic' });
  const random = seededRandom(size);
  const requests = Array.from({ length: queries }, () => generated.request(random));
  const confDir = writeConf(path.join(home, String(size)), generated.csv);

  let started = performance.now();
  const service = await ReloadableAccessControlService.start({ confDir, lookup: () => undefined, log, watch: false, signal: null });
  const startMs = performance.now() - started;
  started = performance.now();
  const reload = await service.reload();
  if (!reload.ok) throw new Error(reload.errors?.join('\n'));
  const reloadMs = performance.now() - started;
  const policy = service.getInstance(POLICY);
  const status = service.status().policies[0]!;
  const rules = `${size.toLocaleString('en')} (+${generated.roleRows.toLocaleString('en')} g)`;
  const engineAnswers = requests.map((r) => policy.checkAccess(r).allowed); // also warms up
  collectGarbage();
  const engine = measure(requests, (r) => policy.checkAccess(r));
  table.push({ rules, engine: status.indexed ? 'engine (indexed)' : 'engine (casbin fallback)', requests: queries, ...engine, load: `start ${seconds(startMs)}, reload ${seconds(reloadMs)}` });

  started = performance.now();
  const enforcer = await newEnforcer(newModelFromString(modelText), new StringAdapter(generated.csv));
  for (const [name, fn] of Object.entries(CUSTOM_FUNCTIONS)) await enforcer.addFunction(name, fn);
  const casbinLoadMs = performance.now() - started;
  const sample = requests.slice(0, casbinSample(size));
  collectGarbage();
  const syncResult = measure(sample, (r) => enforcer.enforceSync(...values(r)));
  table.push({ rules, engine: 'casbin enforceSync', requests: sample.length, ...syncResult, load: `newEnforcer ${seconds(casbinLoadMs)}` });
  table.push({ rules, engine: 'casbin enforce (async)', requests: sample.length, ...(await measureAsync(sample, enforcer)), load: '' });

  const differing = sample.filter((r, i) => enforcer.enforceSync(...values(r)) !== engineAnswers[i]).length;
  const allowed = engineAnswers.filter(Boolean).length;
  notes.push(
    `${size.toLocaleString('en')} rules: ${Math.round((100 * allowed) / queries)}% of requests allowed; plain casbin sampled ${sample.length} of ${queries} requests; ` +
      `answers ${differing === 0 ? 'identical' : `DIFFERENT on ${differing}`} on the sample`,
  );
  service.close();
}

const cores = availableParallelism();
console.log(`Access-control decisions: ${cpus()[0]?.model ?? 'cpu'}, ${cores} core${cores === 1 ? '' : 's'}, Node ${process.version}`);
if (!('gc' in globalThis)) console.log('(run with node --expose-gc, as npm run bench:policy does, for steady-state figures)');
console.log('');
console.log('| rules (p rows + role rows) | decided by | requests | decisions/s | p50 ms | p99 ms | load |');
console.log('|---|---|---:|---:|---:|---:|---|');
for (const r of table) {
  console.log(`| ${r.rules} | ${r.engine} | ${r.requests} | ${Math.round(r.perSecond).toLocaleString('en')} | ${fixed(r.p50)} | ${fixed(r.p99)} | ${r.load} |`);
}
console.log('');
for (const n of notes) console.log(`- ${n}`);
await log.close();
rmSync(home, { recursive: true, force: true });

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
  writeFileSync(path.join(dir, 'access-control.yaml'), `policies:\n  ${POLICY}:\n    model: model.conf\n    policy: policy.csv\n`);
  return dir;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function fixed(ms: number): string {
  return ms < 0.1 ? ms.toFixed(4) : ms < 10 ? ms.toFixed(3) : ms.toFixed(1);
}
