/**
 * npm run bench:saml-flood — what an unauthenticated SAML AuthnRequest costs the IdP, and what a
 * flood of junk requests does to it. One run prints two tables:
 *
 *   1. CPU per AuthnRequest decode (process.cpuUsage over many, in this process): the whole
 *      inbound decode — base64, inflate, libxml2 parse, schema, unique IDs, issuer, signature,
 *      fields — for the kinds of request a flood is made of, and for a valid signed one.
 *   2. A flood: the IdP runs in a child process (as `npm start` would run it, on a copy of conf/
 *      with one more SP that must sign its requests); this process fires N concurrent junk
 *      requests at it (well-formed requests of the demo SP that fail late, schema-invalid ones,
 *      unsigned ones for the SP that must sign, over both bindings) with one socket each, while
 *      it fetches the IdP's metadata every few milliseconds on its own connection. The IdP's
 *      peak RSS (VmHWM), threads and CPU come from /proc/<pid>.
 *
 * The client runs on the same machine as the IdP and competes with it for the CPU; the figures
 * are the IdP's behaviour under that load, not its best case.
 *
 *   npm run bench:saml-flood [-- --requests 2000 --iterations 2000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { generate } from 'selfsigned';
import { loadConfiguration } from '../src/config/load-configuration.js';
import { decodeAuthnRequest, type InboundBinding } from '../src/frontend/saml/authn-request.js';
import { samlParameters } from '../src/frontend/saml/binding-parameters.js';
import { createProcessLog } from '../src/logging/process-log.js';
import { DEFAULT_CONF_DIR } from '../src/core/paths.js';
import { RelyingPartyRegistry } from '../src/relying-party/relying-party.js';
import { authnRequestXml, signXml } from '../test/support/saml-messages.js';

const DEMO_SP = 'https://sp.demo.example.org/shibboleth';
const SIGNED_SP = 'https://signed-sp.bench.example.org/shibboleth';
const SIGNED_ACS = 'https://signed-sp.bench.example.org/acs';
const POST_PATH = '/idp/profile/SAML2/POST/SSO';
const REDIRECT_PATH = '/idp/profile/SAML2/Redirect/SSO';

const junkKinds = [
  'demo SP with a wrong ACS URL (Redirect)',
  'schema-invalid (POST)',
  'unsigned for an SP that must sign (POST)',
  'unsigned for an SP that must sign (Redirect)',
];

const { values: args } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    home: { type: 'string' },
    port: { type: 'string' },
    requests: { type: 'string', default: '2000' },
    iterations: { type: 'string', default: '2000' },
    'cpu-prof': { type: 'string' },
    flood: { type: 'string' },
  },
});

/** Flood-client mode: its own process, so its sockets do not share an event loop with the probe. */
async function floodClient(base: string, total: number): Promise<void> {
  const junk = junkRequests(base, total);
  const agent = new http.Agent({ keepAlive: false, maxSockets: total });
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const started = performance.now();
  const results = await Promise.all(junk.map((r) => send(r, agent)));
  const wallMs = performance.now() - started;
  const statuses: Record<string, number> = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({ wallMs, statuses, p50: pct(times, 50), p99: pct(times, 99), max: times[times.length - 1]!.toFixed(1) })}\n`,
  );
  agent.destroy();
  process.stdin.destroy();
}

/** Child mode: the IdP alone in its process, as npm start runs it. */
async function serve(home: string, port: number): Promise<void> {
  const { createIdp } = await import('../src/idp.js');
  const idp = await createIdp({
    home,
    confDir: path.join(home, 'conf'),
    env: {},
    console: false,
    overrides: { 'idp.port': String(port), 'idp.baseURL': `http://127.0.0.1:${port}` },
  });
  await idp.listen();
  if (args['cpu-prof']) await profileOnSignal(args['cpu-prof']);
  // Event-loop delay between two SIGUSR1 (the flood): how long the IdP's own thread was busy.
  // A 5 ms ticker also tells the IdP's own work from the machine's: for its longest gap, how much
  // CPU the process used in it (a gap without CPU is time the scheduler gave to other processes).
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let ticker: NodeJS.Timeout | undefined;
  let longest = { wallMs: 0, cpuMs: 0 };
  process.on('SIGUSR1', () => {
    if (!ticker) {
      delay.enable();
      delay.reset();
      longest = { wallMs: 0, cpuMs: 0 };
      let wall = performance.now();
      let cpu = process.cpuUsage();
      ticker = setInterval(() => {
        const now = performance.now();
        const used = process.cpuUsage(cpu);
        if (now - wall > longest.wallMs)
          longest = { wallMs: now - wall, cpuMs: (used.user + used.system) / 1000 };
        wall = now;
        cpu = process.cpuUsage();
      }, 5);
    } else {
      delay.disable();
      clearInterval(ticker);
      ticker = undefined;
      const eventLoopDelay = {
        p50: delay.percentile(50) / 1e6,
        p99: delay.percentile(99) / 1e6,
        max: delay.max / 1e6,
        longest,
      };
      process.stdout.write(`${JSON.stringify({ eventLoopDelay })}\n`);
    }
  });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void idp.close().then(() => process.exit(0)));
}

/** --cpu-prof <file>: the IdP profiles its main thread between two SIGUSR2 (the flood), not its start-up. */
async function profileOnSignal(file: string): Promise<void> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  let running = false;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!running) {
        running = true;
        await session.post('Profiler.start');
      } else {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(file, JSON.stringify(profile));
        process.stdout.write('profiled\n');
      }
    })();
  });
}

async function main(): Promise<void> {
  const total = Number(args.requests);
  const iterations = Number(args.iterations);
  const home = mkdtempSync(path.join(tmpdir(), 'bench-saml-flood-'));
  const pems = await generate([{ name: 'commonName', value: 'bench-signed-sp' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  writeConf(home, pems.cert);

  console.log(
    `SAML inbound flood: ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start`,
  );
  console.log('');
  cpuPerDecode(home, pems.private, iterations);
  console.log('');
  await flood(home, total);
  rmSync(home, { recursive: true, force: true });
}

function writeConf(home: string, cert: string): void {
  const conf = path.join(home, 'conf');
  cpSync(DEFAULT_CONF_DIR, conf, { recursive: true });
  writeFileSync(path.join(conf, 'bench-signed-sp.crt'), cert);
  const rp = path.join(conf, 'relying-party.yaml');
  writeFileSync(
    rp,
    readFileSync(rp, 'utf8').replace(
      '\noidcClients:',
      `\n  - entityID: ${SIGNED_SP}\n    assertionConsumerServiceURL: ${SIGNED_ACS}\n    signingCertificate: bench-signed-sp.crt\n\noidcClients:`,
    ),
  );
}

/** Table 1: CPU of decodeAuthnRequest per request kind, in this process. */
function cpuPerDecode(home: string, signingKey: string, iterations: number): void {
  const config = loadConfiguration({
    home,
    confDir: path.join(home, 'conf'),
    env: {},
    overrides: {},
  });
  const deps = {
    relyingParties: new RelyingPartyRegistry(config.relyingParties),
    maxMessageSize: config.properties.samlInbound.maxMessageSize,
    log: createProcessLog({
      file: path.join(home, 'decode.log'),
      fileLevel: 'ERROR',
      consoleLevel: 'ERROR',
      console: false,
    }),
  };
  const maxEncoded =
    Math.ceil(deps.maxMessageSize / 3) * 4 + Math.ceil(deps.maxMessageSize / 57) * 2;
  const padding = `<samlp:Extensions><x:Pad xmlns:x="urn:bench">${'p'.repeat(deps.maxMessageSize - 1200)}</x:Pad></samlp:Extensions>`;
  const kinds: [string, InboundBinding, string][] = [
    [
      'valid, unsigned (demo SP), Redirect',
      'redirect',
      `SAMLRequest=${redirectParam(authnRequestXml({ issuer: DEMO_SP }))}&RelayState=r`,
    ],
    [
      'valid, signed RSA-SHA256 (POST, enveloped)',
      'post',
      postBody(
        signXml(authnRequestXml({ issuer: SIGNED_SP, acs: SIGNED_ACS }), {
          privateKey: signingKey,
        }),
      ),
    ],
    [
      'junk: demo SP, wrong ACS URL (fails last)',
      'redirect',
      `SAMLRequest=${redirectParam(authnRequestXml({ issuer: DEMO_SP, acs: 'https://evil.example.net/acs' }))}`,
    ],
    [
      'junk: schema-invalid (POST)',
      'post',
      postBody(authnRequestXml({ issuer: DEMO_SP }).replace(' Version="2.0"', '')),
    ],
    [
      'junk: unsigned, SP must sign (POST)',
      'post',
      postBody(authnRequestXml({ issuer: SIGNED_SP, acs: SIGNED_ACS })),
    ],
    [
      `junk: ${Math.round(deps.maxMessageSize / 1024)} KB request, wrong ACS (POST)`,
      'post',
      postBody(
        authnRequestXml({ issuer: DEMO_SP, acs: 'https://evil.example.net/acs' }).replace(
          '</saml:Issuer>',
          `</saml:Issuer>${padding}`,
        ),
      ),
    ],
  ];
  console.log(
    `CPU per AuthnRequest decode (decodeAuthnRequest, process.cpuUsage over ${iterations} of each, after a warm-up of all kinds; this process)`,
  );
  console.log('');
  console.log('| request | XML bytes | outcome | CPU ms / request |');
  console.log('|---|---:|---|---:|');
  const runs = kinds.map(([label, binding, encoded]) => ({
    label,
    xmlBytes: xmlLength(encoded, binding),
    run: () => {
      try {
        decodeAuthnRequest(
          samlParameters(
            encoded,
            binding === 'redirect' ? 'query string' : 'form body',
            maxEncoded,
          ),
          binding,
          deps,
        );
        return 'accepted';
      } catch (err) {
        return (err as { code?: string }).code ?? 'error';
      }
    },
  }));
  for (let i = 0; i < 300; i++) for (const { run } of runs) run();
  for (const { label, xmlBytes, run } of runs) {
    const outcome = run();
    const started = process.cpuUsage();
    for (let i = 0; i < iterations; i++) run();
    const used = process.cpuUsage(started);
    console.log(
      `| ${label} | ${xmlBytes.toLocaleString('en')} | ${outcome} | ${((used.user + used.system) / 1000 / iterations).toFixed(3)} |`,
    );
  }
}

/** Table 2: the IdP in a child process under N concurrent junk requests. */
async function flood(home: string, total: number): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const profile = args['cpu-prof'] ? ['--cpu-prof', path.resolve(args['cpu-prof'])] : [];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--serve',
      '--home',
      home,
      '--port',
      String(port),
      ...profile,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`IdP exited with ${code}`)));
    });
    const pid = child.pid!;
    const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++) await get(`${base}/idp/shibboleth`, probeAgent); // warm-up
    // Warm the IdP's decode path once, as a running IdP would be.
    await Promise.all(
      junkRequests(base, 20).map((r) => send(r, new http.Agent({ keepAlive: false }))),
    );

    const perPath = await cpuPerPath(base, pid, probeAgent);
    const idle = await probeLatencies(base, probeAgent, 20);
    // The probe keeps its one connection busy from now on (an idle keep-alive connection would be
    // closed after 5 s, and a new one would queue behind the flood's connections in the backlog).
    let recording = false;
    let flooding = true;
    const latencies: number[] = [];
    const prober = (async () => {
      while (flooding) {
        const ms = await get(`${base}/idp/shibboleth`, probeAgent);
        if (recording) latencies.push(ms);
        await sleep(5);
      }
    })();
    const floodProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--flood',
        base,
        '--requests',
        String(total),
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let output = '';
    floodProcess.stdout.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve) =>
      floodProcess.stdout.on('data', () => output.includes('ready') && resolve()),
    );
    const exited = new Promise((resolve) => floodProcess.once('exit', resolve));

    const before = procStatus(pid);
    const cpuBefore = procCpuMs(pid);
    let peakThreads = before.threads;
    let peakRss = before.rssKb;
    const sampler = setInterval(() => {
      const s = procStatus(pid);
      peakThreads = Math.max(peakThreads, s.threads);
      peakRss = Math.max(peakRss, s.rssKb);
    }, 10);
    if (args['cpu-prof']) child.kill('SIGUSR2');
    child.kill('SIGUSR1');
    recording = true;
    floodProcess.stdin.write('go\n');
    await exited;
    const result = JSON.parse(output.slice(output.indexOf('{'))) as {
      wallMs: number;
      statuses: Record<string, number>;
      p50: string;
      p99: string;
      max: string;
    };
    flooding = false;
    await prober;
    clearInterval(sampler);
    const cpuMs = procCpuMs(pid) - cpuBefore;
    let childOutput = '';
    const gotDelay = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        childOutput += d.toString();
        if (childOutput.includes('eventLoopDelay')) resolve();
      }),
    );
    child.kill('SIGUSR1');
    await gotDelay;
    const { eventLoopDelay } = JSON.parse(
      childOutput.slice(childOutput.indexOf('{"eventLoopDelay"')).split('\n')[0]!,
    ) as {
      eventLoopDelay: {
        p50: number;
        p99: number;
        max: number;
        longest: { wallMs: number; cpuMs: number };
      };
    };
    if (args['cpu-prof']) {
      const written = new Promise<void>((resolve) =>
        child.stdout.on('data', (d: Buffer) => d.toString().includes('profiled') && resolve()),
      );
      child.kill('SIGUSR2');
      await written;
    }
    const after = procStatus(pid);

    console.log(
      `IdP CPU per request by path (sequential requests, /proc/<pid>/stat of the IdP, ${PATH_REQUESTS} each)`,
    );
    console.log('');
    console.log('| path | CPU ms / request |');
    console.log('|---|---:|');
    for (const [label, ms] of perPath) console.log(`| ${label} | ${ms.toFixed(2)} |`);
    console.log('');
    console.log(
      `Flood: ${total} concurrent junk requests (${junkKinds.join('; ')}), one socket each; IdP, flood client and metadata probe in three processes`,
    );
    console.log('');
    console.log('| measure | value |');
    console.log('|---|---:|');
    console.log(
      `| answers | ${Object.entries(result.statuses)
        .sort()
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ')} |`,
    );
    console.log(
      `| flood wall time | ${result.wallMs.toFixed(0)} ms (${Math.round((total / result.wallMs) * 1000)} requests/s) |`,
    );
    console.log(
      `| junk request latency p50 / p99 / max | ${result.p50} / ${result.p99} / ${result.max} ms |`,
    );
    console.log(
      `| IdP CPU during the flood | ${cpuMs.toFixed(0)} ms (${(cpuMs / total).toFixed(2)} ms per junk request, HTTP + express + decode + error page + log) |`,
    );
    console.log(
      `| metadata latency idle p50 / max | ${pct(idle, 50)} / ${idle[idle.length - 1]!.toFixed(1)} ms |`,
    );
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `| metadata latency during the flood p50 / p95 / max (${latencies.length} fetches) | ${pct(sorted, 50)} / ${pct(sorted, 95)} / ${sorted[sorted.length - 1]!.toFixed(1)} ms |`,
    );
    console.log(
      `| IdP event-loop delay during the flood p50 / p99 / max | ${eventLoopDelay.p50.toFixed(1)} / ${eventLoopDelay.p99.toFixed(1)} / ${eventLoopDelay.max.toFixed(1)} ms |`,
    );
    console.log(
      `| IdP's longest stall: wall / CPU the IdP used in it | ${eventLoopDelay.longest.wallMs.toFixed(0)} / ${eventLoopDelay.longest.cpuMs.toFixed(0)} ms |`,
    );
    console.log(
      `| IdP RSS before / peak / after | ${mb(before.rssKb)} / ${mb(Math.max(peakRss, after.hwmKb))} / ${mb(after.rssKb)} MB |`,
    );
    console.log(
      `| IdP threads before / max / after | ${before.threads} / ${peakThreads} / ${after.threads} |`,
    );
    probeAgent.destroy();
  } finally {
    await stop(child);
  }
}

const PATH_REQUESTS = 500;

/**
 * The IdP's CPU per request for each way a request can go, one request at a time (no burst):
 * metadata, a junk AuthnRequest refused with 400, and a refusal with 503 while the admission cap
 * is held full by POSTs whose bodies have not arrived.
 */
async function cpuPerPath(
  base: string,
  pid: number,
  keepAlive: http.Agent,
): Promise<[string, number][]> {
  const measure = async (label: string, one: () => Promise<unknown>): Promise<[string, number]> => {
    for (let i = 0; i < 50; i++) await one();
    const before = procCpuMs(pid);
    for (let i = 0; i < PATH_REQUESTS; i++) await one();
    return [label, (procCpuMs(pid) - before) / PATH_REQUESTS];
  };
  const [junk] = junkRequests(base, 1);
  const fresh = new http.Agent({ keepAlive: false });
  const rows = [
    await measure('metadata (keep-alive connection)', () =>
      get(`${base}/idp/shibboleth`, keepAlive),
    ),
    await measure('junk AuthnRequest → 400 page (new connection each)', () => send(junk!, fresh)),
  ];
  const { port, hostname } = new URL(base);
  const held = await Promise.all(
    Array.from(
      { length: 64 },
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(Number(port), hostname, () => {
            socket.write(
              `POST ${POST_PATH} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nSAMLRequest=`,
            );
            resolve(socket);
          });
          socket.on('error', () => undefined);
        }),
    ),
  );
  await sleep(200);
  const refusal = await send(junk!, fresh);
  rows.push(
    refusal.status === '503'
      ? await measure('over the cap → 503 page (new connection each)', () => send(junk!, fresh))
      : ['over the cap → 503 (cap not reached: idp.saml.inbound.maxConcurrent > 64?)', NaN],
  );
  for (const socket of held) socket.destroy();
  fresh.destroy();
  await sleep(200);
  return rows;
}

interface JunkRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly body?: string;
}

function junkRequests(base: string, total: number): JunkRequest[] {
  return Array.from({ length: total }, (_, i): JunkRequest => {
    const id = `_junk${i}`;
    switch (i % 4) {
      case 0:
        return {
          method: 'GET',
          url: `${base}${REDIRECT_PATH}?SAMLRequest=${redirectParam(authnRequestXml({ id, issuer: DEMO_SP, acs: 'https://evil.example.net/acs' }))}`,
        };
      case 1:
        return {
          method: 'POST',
          url: `${base}${POST_PATH}`,
          body: postBody(authnRequestXml({ id, issuer: DEMO_SP }).replace(' Version="2.0"', '')),
        };
      case 2:
        return {
          method: 'POST',
          url: `${base}${POST_PATH}`,
          body: postBody(authnRequestXml({ id, issuer: SIGNED_SP, acs: SIGNED_ACS })),
        };
      default:
        return {
          method: 'GET',
          url: `${base}${REDIRECT_PATH}?SAMLRequest=${redirectParam(authnRequestXml({ id, issuer: SIGNED_SP, acs: SIGNED_ACS }))}`,
        };
    }
  });
}

function send(r: JunkRequest, agent: http.Agent): Promise<{ status: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      r.url,
      {
        method: r.method,
        agent,
        headers: {
          accept: 'text/html',
          ...(r.body
            ? {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(r.body),
              }
            : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: String(res.statusCode), ms: performance.now() - started }),
        );
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ status: err.code ?? 'error', ms: performance.now() - started }),
    );
    req.end(r.body);
  });
}

function get(url: string, agent: http.Agent): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`metadata: ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

async function probeLatencies(base: string, agent: http.Agent, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await get(`${base}/idp/shibboleth`, agent));
  return out.sort((a, b) => a - b);
}

function procStatus(pid: number): { rssKb: number; hwmKb: number; threads: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM'), threads: field('Threads') };
}

/** utime + stime of a process, in ms (USER_HZ is 100 on Linux). */
function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function redirectParam(xml: string): string {
  return encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'));
}

function postBody(xml: string): string {
  return new URLSearchParams({
    SAMLRequest: Buffer.from(xml, 'utf8').toString('base64'),
    RelayState: 'bench',
  }).toString();
}

function xmlLength(encoded: string, binding: InboundBinding): number {
  const bytes = Buffer.from(new URLSearchParams(encoded).get('SAMLRequest')!, 'base64');
  return binding === 'redirect' ? inflateRawSync(bytes).length : bytes.length;
}

function pct(sorted: number[], p: number): string {
  if (sorted.length === 0) return '-';
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
}

function mb(kb: number): string {
  return (kb / 1024).toFixed(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

// Last, so that every constant above is initialised before any mode runs.
if (args.serve) await serve(args.home!, Number(args.port));
else if (args.flood) await floodClient(args.flood, Number(args.requests));
else await main();
