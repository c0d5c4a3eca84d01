/**
 * The IdP under measurement, in its own process so that the load generator's CPU is not counted
 * as the IdP's. It starts on the shipped configuration with a fresh home (database, logs, keys)
 * and answers the parent over IPC: its address, and on request its CPU time, RSS and database size.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createIdp } from '../../src/idp.js';
import { freePort } from '../../test/support/free-port.js';

export type ToIdp = { readonly type: 'stats' } | { readonly type: 'close' };
export type FromIdp =
  | { readonly type: 'ready'; readonly baseURL: string; readonly signaturesPerSamlResponse: number }
  | {
      readonly type: 'stats';
      readonly cpuMicros: number;
      readonly loopActiveMs: number;
      readonly rssBytes: number;
      readonly dbBytes: number;
    };

const home = mkdtempSync(path.join(tmpdir(), 'bench-sso-'));
const port = await freePort(); // the IdP's URLs name its port, so it must be known before it starts
const live = await createIdp({
  home,
  env: {},
  console: false,
  overrides: {
    'idp.port': String(port),
    'idp.baseURL': `http://127.0.0.1:${port}`,
    'idp.loglevel.idp': 'WARN',
    'idp.login.maxFailures': '0',
    // Extra properties from the parent (bench:sso --property key=value).
    ...(JSON.parse(process.env.BENCH_IDP_PROPERTIES ?? '{}') as Record<string, string>),
  },
});
await live.listen();
const props = live.config.properties;
const demoSp = live.config.relyingParties.find((rp) => rp.id === props.demo.sp.entityID);
const signatures =
  demoSp?.kind === 'saml' ? Number(demoSp.signAssertions) + Number(demoSp.signResponses) : 0;

const send = (message: FromIdp) => process.send!(message);
send({ type: 'ready', baseURL: props.baseURL, signaturesPerSamlResponse: signatures });

process.on('message', (message: ToIdp) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    const size = (file: string) => {
      try {
        return statSync(file).size;
      } catch {
        return 0;
      }
    };
    send({
      type: 'stats',
      cpuMicros: cpu.user + cpu.system,
      // The event loop's busy time: what the one JavaScript thread spent, thread-pool work excluded.
      loopActiveMs: performance.eventLoopUtilization().active,
      rssBytes: process.memoryUsage().rss,
      dbBytes: size(props.storagePath) + size(`${props.storagePath}-wal`),
    });
  } else {
    void live.close().then(() => {
      rmSync(home, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
