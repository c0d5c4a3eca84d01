/**
 * npm run bench:sso — end-to-end SSO throughput of the IdP, plain and impersonated, over SAML and
 * OpenID Connect, side by side in one run, against the signing bound measured in the same run.
 *
 * The IdP runs in a child process on the shipped configuration (fresh home); this process is the
 * load: `--concurrency` virtual users per flow, each with a warm IdP session (signed in once,
 * before measuring), repeat the flow until `--flows` flows are done. For each flow the table gives
 * flows/s, p50/p99 latency, the IdP's CPU time per flow (all its threads), the time its event loop
 * was busy per flow (the one JavaScript thread; RSA signatures run beside it on the thread pool)
 * and its RSS afterwards. RSA-2048
 * signatures/s is measured here first (one core, Node's crypto with a KeyObject): a SAML response
 * carries that many signatures, so signatures/s ÷ signatures per response is the rate at which
 * signing alone would saturate the IdP's one JavaScript thread.
 *
 * `--soak N` then runs N more flows (the four flows in turn) and prints the IdP's RSS and database
 * size every N/10 flows: both must stay flat once retention has reached its steady state — which
 * takes the longest token lifetime (an hour by default; shorten it for the run with
 * `--property idp.oidc.accessTokenLifetime=PT1M` and the like).
 *
 * `--audit-chain-compare` instead measures what the tamper-evident audit chain costs: two IdPs
 * (fresh homes, same configuration) run side by side, one with idp.audit.chain.enabled = true and
 * one with false; the SAML flows (or those chosen with --only) alternate between them in rounds, so
 * that drift on a shared machine hits both alike, and the table gives each one's flows/s and the
 * ratio (the target: the chain costs at most 10 %, ratio ≥ 0.9).
 *
 *   npm run bench:sso [-- --flows 2000 --concurrency 8 --soak 100000 --only oidc --property key=value]
 *   npm run bench:sso -- --audit-chain-compare [--flows 1000 --rounds 3 --only saml]
 *   BENCH_CPU_PROFILE=/tmp/prof npm run bench:sso   (a V8 CPU profile of the IdP, for --cpu-prof viewers)
 */
import { fork } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  oidcImpersonated,
  oidcPlain,
  samlImpersonated,
  samlPlain,
  signIn,
  type Flow,
  type FlowSettings,
} from './sso/flows.js';
import { HttpUser } from './sso/http-user.js';
import type { FromIdp, ToIdp } from './sso/idp-process.js';

const { values: args } = parseArgs({
  options: {
    flows: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '200' },
    soak: { type: 'string', default: '0' },
    only: { type: 'string' },
    property: { type: 'string', multiple: true, default: [] },
    'audit-chain-compare': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
  },
});
/** IdP properties for this run, e.g. --property idp.oidc.accessTokenLifetime=PT30S. */
const PROPERTIES = Object.fromEntries(
  args.property.map((p) => {
    const eq = p.indexOf('=');
    if (eq < 1) throw new Error(`--property ${p}: expected key=value`);
    return [p.slice(0, eq), p.slice(eq + 1)];
  }),
);
const FLOWS = Number(args.flows);
const CONCURRENCY = Number(args.concurrency);
const WARMUP = Number(args.warmup);
const SOAK = Number(args.soak);

interface Stats {
  readonly cpuMicros: number;
  readonly loopActiveMs: number;
  readonly rssBytes: number;
  readonly dbBytes: number;
}

class IdpProcess {
  private waiting: ((m: FromIdp) => void)[] = [];

  private constructor(private readonly child: ReturnType<typeof fork>) {
    child.on('message', (m: FromIdp) => this.waiting.shift()?.(m));
  }

  static async start(
    properties: Record<string, string> = PROPERTIES,
  ): Promise<{ idp: IdpProcess; baseURL: string; signatures: number }> {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sso', 'idp-process.ts');
    // BENCH_CPU_PROFILE=<folder>: the IdP writes a V8 CPU profile there when it exits.
    const profile = process.env.BENCH_CPU_PROFILE
      ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROFILE]
      : [];
    const child = fork(script, [], {
      execArgv: ['--import', 'tsx', ...profile],
      env: { ...process.env, BENCH_IDP_PROPERTIES: JSON.stringify(properties) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const idp = new IdpProcess(child);
    const ready = await idp.next();
    if (ready.type !== 'ready') throw new Error('the IdP did not start');
    return { idp, baseURL: ready.baseURL, signatures: ready.signaturesPerSamlResponse };
  }

  async stats(): Promise<Stats> {
    const answer = this.next();
    this.child.send({ type: 'stats' } satisfies ToIdp);
    const m = await answer;
    if (m.type !== 'stats') throw new Error('unexpected message from the IdP');
    return m;
  }

  close(): void {
    this.child.send({ type: 'close' } satisfies ToIdp);
  }

  private next(): Promise<FromIdp> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second on one core, as the IdP signs. */
function signaturesPerSecond(): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = randomBytes(1024);
  for (let i = 0; i < 200; i++) sign('sha256', data, privateKey);
  let n = 0;
  const started = process.cpuUsage();
  let used = 0;
  while (used < 1_000_000) {
    for (let i = 0; i < 50; i++) sign('sha256', data, privateKey);
    n += 50;
    const c = process.cpuUsage(started);
    used = c.user + c.system;
  }
  return n / (used / 1e6);
}

interface Result {
  readonly name: string;
  readonly flows: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMsPerFlow: number;
  readonly loopMsPerFlow: number;
  readonly rssMB: number;
}

/** `flows` runs of `flow`, `CONCURRENCY` users at a time. */
async function drive(
  users: readonly HttpUser[],
  flow: Flow,
  settings: FlowSettings,
  flows: number,
  latencies?: number[],
): Promise<void> {
  let remaining = flows;
  await Promise.all(
    users.map(async (user) => {
      while (remaining > 0) {
        remaining--;
        const started = performance.now();
        await flow(user, settings);
        latencies?.push(performance.now() - started);
      }
    }),
  );
}

async function measure(
  name: string,
  idp: IdpProcess,
  users: readonly HttpUser[],
  flow: Flow,
  settings: FlowSettings,
): Promise<Result> {
  await drive(users, flow, settings, WARMUP);
  const latencies: number[] = [];
  const before = await idp.stats();
  const started = performance.now();
  await drive(users, flow, settings, FLOWS, latencies);
  const seconds = (performance.now() - started) / 1000;
  const after = await idp.stats();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    name,
    flows: FLOWS,
    perSecond: FLOWS / seconds,
    p50: at(0.5),
    p99: at(0.99),
    cpuMsPerFlow: (after.cpuMicros - before.cpuMicros) / 1000 / FLOWS,
    loopMsPerFlow: (after.loopActiveMs - before.loopActiveMs) / FLOWS,
    rssMB: after.rssBytes / 1e6,
  };
}

const settingsFor = (baseURL: string): FlowSettings => ({
  baseURL,
  spEntityID: 'https://sp.demo.example.org/shibboleth',
  clientId: 'demo-rp',
  clientSecret: 'demo-rp-secret-for-the-demo-only',
  redirectUri: 'http://localhost:8082/callback',
});
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 4 });
async function usersOf(baseURL: string, account: string): Promise<HttpUser[]> {
  const users = Array.from({ length: CONCURRENCY }, () => new HttpUser(agent, baseURL));
  for (const user of users) await signIn(user, settingsFor(baseURL), account);
  return users;
}

if (args['audit-chain-compare']) {
  await compareAuditChain();
  agent.destroy();
  process.exit(0);
}

/** --audit-chain-compare: the same flows against an IdP with the chain on and one with it off. */
async function compareAuditChain(): Promise<void> {
  const rounds = Number(args.rounds);
  const sides = await Promise.all(
    (['true', 'false'] as const).map(async (chain) => {
      const started = await IdpProcess.start({ ...PROPERTIES, 'idp.audit.chain.enabled': chain });
      const users = {
        dave: await usersOf(started.baseURL, 'dave'),
        alice: await usersOf(started.baseURL, 'alice'),
      };
      return { chain, ...started, users, settings: settingsFor(started.baseURL) };
    }),
  );
  const flows: [string, Flow, 'dave' | 'alice'][] = [
    ['SAML plain', samlPlain, 'dave'],
    ['SAML impersonated', samlImpersonated, 'alice'],
    ['OIDC plain', oidcPlain, 'dave'],
    ['OIDC impersonated', oidcImpersonated, 'alice'],
  ];
  const only = args.only?.toLowerCase() ?? 'saml';
  console.log(
    `bench:sso --audit-chain-compare — Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), concurrency ${CONCURRENCY}, ${rounds} rounds of ${FLOWS} flows per IdP and flow after ${WARMUP} warm-up flows`,
  );
  console.log('');
  console.log(
    '| flow | chain on flows/s | chain off flows/s | on / off | on p50 ms | off p50 ms |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, flow, account] of flows.filter(([n]) => n.toLowerCase().includes(only))) {
    const totals = new Map<string, { flows: number; seconds: number; p50: number[] }>();
    for (const side of sides) await drive(side.users[account], flow, side.settings, WARMUP);
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const r = await measure(name, side.idp, side.users[account], flow, side.settings);
        const t = totals.get(side.chain) ?? { flows: 0, seconds: 0, p50: [] };
        totals.set(side.chain, {
          flows: t.flows + r.flows,
          seconds: t.seconds + r.flows / r.perSecond,
          p50: [...t.p50, r.p50],
        });
      }
    }
    const rate = (chain: string) => totals.get(chain)!.flows / totals.get(chain)!.seconds;
    const p50 = (chain: string) => Math.min(...totals.get(chain)!.p50).toFixed(1);
    console.log(
      `| ${name} | ${rate('true').toFixed(1)} | ${rate('false').toFixed(1)} | ${(rate('true') / rate('false')).toFixed(3)} | ${p50('true')} | ${p50('false')} |`,
    );
  }
  console.log('');
  console.log(
    'target: on / off ≥ 0.9 (the chain and its checkpoints cost at most 10 % of SSO throughput)',
  );
  for (const side of sides) side.idp.close();
}

const signatureRate = signaturesPerSecond();
const { idp, baseURL, signatures } = await IdpProcess.start();
const settings = settingsFor(baseURL);
const dave = await usersOf(baseURL, 'dave'); // never offered the impersonate form
const alice = await usersOf(baseURL, 'alice'); // impersonates bob

const rows: [string, readonly HttpUser[], Flow][] = [
  ['SAML plain', dave, samlPlain],
  ['SAML impersonated', alice, samlImpersonated],
  ['OIDC plain', dave, oidcPlain],
  ['OIDC impersonated', alice, oidcImpersonated],
];
const results: Result[] = [];
for (const [name, users, flow] of rows) {
  if (!args.only || name.toLowerCase().includes(args.only.toLowerCase()))
    results.push(await measure(name, idp, users, flow, settings));
}

const bound = signatures > 0 ? signatureRate / signatures : Infinity;
const fixed = (n: number, digits = 1) => n.toFixed(digits);
console.log(
  `bench:sso — Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), concurrency ${CONCURRENCY}, ${FLOWS} flows per row after ${WARMUP} warm-up flows`,
);
console.log(
  `RSA-2048 signatures/s (one core, this run): ${fixed(signatureRate, 0)}; a SAML response carries ${signatures} → signing-bound limit ${fixed(bound, 0)} flows/s`,
);
console.log('');
console.log(
  '| flow | flows/s | p50 ms | p99 ms | IdP CPU ms/flow | event loop ms/flow | IdP RSS MB |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.name} | ${fixed(r.perSecond)} | ${fixed(r.p50)} | ${fixed(r.p99)} | ${fixed(r.cpuMsPerFlow, 2)} | ${fixed(r.loopMsPerFlow, 2)} | ${fixed(r.rssMB, 0)} |`,
  );
}
const rate = (name: string) => results.find((r) => r.name === name)?.perSecond ?? NaN;
console.log('');
console.log(
  `SAML impersonated / plain: ${fixed(rate('SAML impersonated') / rate('SAML plain'), 2)} (target ≥ 0.8)`,
);
console.log(
  `OIDC impersonated / plain: ${fixed(rate('OIDC impersonated') / rate('OIDC plain'), 2)} (target ≥ 0.8)`,
);
console.log(
  `SAML plain / signing-bound limit: ${fixed(rate('SAML plain') / bound, 3)} (target ≥ 0.5)`,
);

if (SOAK > 0) {
  const flows: [Flow, readonly HttpUser[]][] = [
    [samlPlain, dave],
    [samlImpersonated, alice],
    [oidcPlain, dave],
    [oidcImpersonated, alice],
  ];
  const step = Math.max(4, Math.floor(SOAK / 10));
  console.log('');
  console.log(`soak: ${SOAK} more flows, the four in turn`);
  console.log('| flows | IdP RSS MB | database MB |');
  console.log('|---:|---:|---:|');
  const first = await idp.stats();
  console.log(`| 0 | ${fixed(first.rssBytes / 1e6, 0)} | ${fixed(first.dbBytes / 1e6, 2)} |`);
  for (let done = 0; done < SOAK;) {
    const n = Math.min(step, SOAK - done);
    for (const [flow, users] of flows)
      await drive(users, flow, settings, Math.ceil(n / flows.length));
    done += n;
    const s = await idp.stats();
    console.log(`| ${done} | ${fixed(s.rssBytes / 1e6, 0)} | ${fixed(s.dbBytes / 1e6, 2)} |`);
  }
}

agent.destroy();
idp.close();
