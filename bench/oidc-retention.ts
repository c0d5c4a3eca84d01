/**
 * What plain OpenID Connect authorizations leave in the database: runs N authorizations of the
 * demo client (no refresh tokens; dave, who is never offered the impersonate form) against a real
 * IdP over HTTP, B browsers signing in once each, then prints per table the rows and bytes
 * (SQLite's dbstat: pages, indexes included) and how much of it is still kept once every token of
 * these authorizations has expired (their lifetime plus the code lifetime) — the part that grows
 * with the number of flows, extrapolated to 100k flows.
 *
 *   npx tsx bench/oidc-retention.ts [--browsers 20 --flows 25]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createIdp } from '../src/idp.js';
import { Browser } from '../test/support/browser.js';
import { freePort } from '../test/support/free-port.js';
import { TestRp } from '../test/support/test-rp.js';

const { values: args } = parseArgs({
  options: {
    browsers: { type: 'string', default: '20' },
    flows: { type: 'string', default: '25' },
  },
});
const browsers = Number(args.browsers);
const flowsPerBrowser = Number(args.flows);
const flows = browsers * flowsPerBrowser;

const home = mkdtempSync(path.join(tmpdir(), 'bench-oidc-'));
const port = await freePort();
const baseURL = `http://127.0.0.1:${port}`;
const idp = await createIdp({
  home,
  env: {},
  console: false,
  overrides: {
    'idp.port': String(port),
    'idp.baseURL': baseURL,
    'demo.oidc.baseURL': 'http://127.0.0.1:9',
  },
});
await idp.listen();
const rp = await TestRp.create(
  baseURL,
  'demo-rp',
  'demo-rp-secret-for-the-demo-only',
  'http://127.0.0.1:9/callback',
);

const started = Date.now();
let lastTokenExpiry = 0;
for (let i = 0; i < browsers; i++) {
  const b = new Browser();
  b.stopAt.push('http://127.0.0.1:9/');
  for (let f = 0; f < flowsPerBrowser; f++) {
    const pending = await rp.authorize();
    let page = await b.get(pending.url);
    if (page.status === 200)
      page = await b.submit(
        page,
        { j_username: 'dave', j_password: 'demo-dave' },
        '_eventId_proceed',
      );
    const tokens = await rp.redeem(page.headers.get('location')!, pending);
    lastTokenExpiry = Math.max(
      lastTokenExpiry,
      tokens.claims()!.exp * 1000,
      Date.now() + tokens.expires_in! * 1000,
    );
  }
}
const elapsed = Date.now() - started;
await idp.close();

// Rows still kept once every token has expired (plus the 60 s code lifetime and a second).
const after = lastTokenExpiry + 61_000;
const db = new Database(idp.config.properties.storagePath, { readonly: true });
interface Line {
  readonly what: string;
  readonly rows: number;
  readonly bytes: number;
  readonly kept: number;
  readonly keptBytes: number;
}
const lines = db
  .prepare(
    `SELECT model AS what, count(*) AS rows, sum(length(payload)) AS bytes,
       sum(expires_at IS NULL OR expires_at > @after) AS kept,
       coalesce(sum(CASE WHEN expires_at IS NULL OR expires_at > @after THEN length(payload) END), 0) AS keptBytes
     FROM oidc_models GROUP BY model
     UNION ALL
     SELECT 'authorization record', count(*), coalesce(sum(length(record)), 0), coalesce(sum(expires_at > @after), 0),
       coalesce(sum(CASE WHEN expires_at > @after THEN length(record) END), 0)
     FROM oidc_authorizations`,
  )
  .all({ after }) as Line[];
const pages = db
  .prepare(
    "SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'oidc_%' OR name LIKE 'sqlite_autoindex_oidc_%'",
  )
  .get() as { bytes: number };
db.close();
rmSync(home, { recursive: true, force: true });

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
console.log(
  `${flows} plain OIDC flows (${browsers} browsers × ${flowsPerBrowser}) in ${(elapsed / 1000).toFixed(1)} s on ${cpus().length} CPU(s), Node ${process.version}`,
);
console.log('row                       rows  data KiB   kept once the tokens expired (rows, KiB)');
for (const l of lines) {
  console.log(
    `${l.what.padEnd(22)} ${String(l.rows).padStart(7)} ${kb(l.bytes).padStart(9)}   ${String(l.kept).padStart(5)} ${kb(l.keptBytes).padStart(9)}`,
  );
}
const data = lines.reduce((n, l) => n + l.bytes, 0);
console.log(
  `OIDC tables now: ${kb(pages.bytes)} KiB of pages (indexes included) for ${kb(data)} KiB of data`,
);
// Sessions are one per browser; everything else is per flow.
const perFlow = lines.filter((l) => l.what !== 'Session').reduce((n, l) => n + l.keptBytes, 0);
const overhead = data > 0 ? pages.bytes / data : 1;
console.log(
  `kept per flow once its tokens expired: ${(perFlow / flows).toFixed(0)} bytes of data, ~${(((perFlow / flows) * overhead * 100_000) / 1e6).toFixed(1)} MB per 100k flows with the same page overhead`,
);
