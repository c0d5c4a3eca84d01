/**
 * npm run bench:cluster — what one flow costs an IdP node, counted, for docs/scaling.md: Redis
 * commands (INFO commandstats of a real redis-server), LDAP operations (slapd's cn=Monitor), audit
 * records (each one fdatasync'd before the response: at concurrency 1 one fdatasync per record;
 * concurrent records share a group commit) and XML signatures in the response.
 *
 * One IdP on the shared configuration (idp.storage.type = redis, idp.directory.type = ldap, a
 * real Redis and slapd on loopback), the flows run one at a time by a client in this process:
 *   cold  — a new browser: AuthnRequest, password login, impersonate form, release (SAML)
 *   warm  — the same browser again: SSO on its IdP session, impersonate form, release (SAML)
 *   oidc  — a new browser: authorize, password login, impersonate form, code, token, userinfo
 * Counts are exact (the same every run, give or take the heartbeat of the node list: one
 * MULTI of 4 commands every 5 s, subtracted). Throughput is bench:sso's job; run it with
 * --property for the shared configuration (docs/scaling.md gives the command).
 *
 *   npm run bench:cluster [-- --flows 50]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { Browser } from '../test/support/browser.js';
import { startRedis } from '../test/support/redis-server.js';
import { startSlapd } from '../test/support/slapd.js';
import { startTestIdp, type TestIdp } from '../test/support/test-idp.js';
import { TestRp } from '../test/support/test-rp.js';
import { TestSp } from '../test/support/test-sp.js';

const { values: args } = parseArgs({ options: { flows: { type: 'string', default: '50' } } });
const FLOWS = Number(args.flows);
const STOP = 'http://127.0.0.1:9';
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_COMMANDS = 6; // MULTI, SET, ZADD, ZREMRANGEBYSCORE, PEXPIRE, EXEC

interface Counts {
  redis: number;
  ldap: { bind: number; search: number };
  auditLines: number;
}

const redis = await startRedis();
const slapd = await startSlapd();
const redisStats = createClient({ url: redis.url });
await redisStats.connect();

async function redisCommands(): Promise<number> {
  const info = await redisStats.info('commandstats');
  // cmdstat_get:calls=12,usec=…; the INFO calls of this bench are left out.
  return [...info.matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm)]
    .filter(([, cmd]) => cmd !== 'info')
    .reduce((n, [, , calls]) => n + Number(calls), 0);
}

async function counts(t: TestIdp): Promise<Counts> {
  return {
    redis: await redisCommands(),
    ldap: await slapd.operations(),
    auditLines: readFileSync(t.idp.config.properties.logs.auditFile, 'utf8').split('\n').length - 1,
  };
}

function signatures(html: string): number {
  const response = /name="SAMLResponse" value="([^"]+)"/.exec(html)?.[1];
  if (!response) throw new Error('no SAMLResponse in the page');
  return (
    Buffer.from(response, 'base64')
      .toString('utf8')
      .match(/<ds:Signature\b/g) ?? []
  ).length;
}

async function samlFlow(sp: TestSp, browser: Browser, login: boolean): Promise<number> {
  let page = await browser.get(await sp.loginURL());
  if (login)
    page = await browser.submit(
      page,
      { j_username: 'alice', j_password: 'demo-alice' },
      '_eventId_proceed',
    );
  page = await browser.submit(page, { principal: 'bob' }, '_eventId_impersonate');
  return signatures(page.body);
}

async function oidcFlow(rp: TestRp): Promise<void> {
  const browser = new Browser();
  browser.stopAt.push(`${STOP}/`);
  const pending = await rp.authorize();
  let page = await browser.get(pending.url);
  page = await browser.submit(
    page,
    { j_username: 'alice', j_password: 'demo-alice' },
    '_eventId_proceed',
  );
  page = await browser.submit(page, { principal: 'bob' }, '_eventId_impersonate');
  const tokens = await rp.redeem(page.headers.get('location')!, pending);
  await rp.userinfo(tokens.access_token, 'bob');
}

async function measure(
  name: string,
  t: TestIdp,
  flow: () => Promise<number | void>,
): Promise<string> {
  await flow(); // warm-up: caches, first-use persistent ids, JIT
  const before = await counts(t);
  const started = performance.now();
  let sigs = 0;
  for (let i = 0; i < FLOWS; i++) sigs += (await flow()) ?? 0;
  const ms = performance.now() - started;
  const after = await counts(t);
  const beats = Math.floor(ms / HEARTBEAT_MS) * HEARTBEAT_COMMANDS;
  const per = (n: number) => (n / FLOWS).toFixed(1);
  return [
    name.padEnd(6),
    per(after.redis - before.redis - beats).padStart(8),
    per(after.ldap.bind - before.ldap.bind).padStart(7),
    per(after.ldap.search - before.ldap.search).padStart(8),
    per(after.auditLines - before.auditLines).padStart(8),
    (sigs ? per(sigs) : '1 (JWT)').padStart(10),
    (ms / FLOWS).toFixed(1).padStart(9),
  ].join('  ');
}

const t = await startTestIdp({
  properties: {
    ...slapd.properties,
    'idp.storage.type': 'redis',
    'idp.storage.redis.url': redis.url,
    'demo.oidc.baseURL': STOP,
  },
});
try {
  const sp = await TestSp.create(t.baseURL);
  const rp = await TestRp.create(
    t.baseURL,
    'demo-rp',
    'demo-rp-secret-for-the-demo-only',
    `${STOP}/callback`,
  );
  const warm = new Browser();
  await samlFlow(sp, warm, true);
  const rows = [
    await measure('cold', t, () => samlFlow(sp, new Browser(), true)),
    await measure('warm', t, () => samlFlow(sp, warm, false)),
    await measure('oidc', t, () => oidcFlow(rp)),
  ];
  console.log(
    `\nPer flow, ${FLOWS} flows each, one at a time (IdP and client in one process; ms is wall time of both):\n`,
  );
  console.log('flow    redis cmds  ldap bind  ldap srch  audit recs  signatures  ms/flow');
  for (const row of rows) console.log(row);
} finally {
  await t.close();
  await redisStats.close();
  await redis.stop();
  await slapd.close();
}
