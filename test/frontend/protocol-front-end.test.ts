/**
 * The ProtocolFrontEnd contract, checked on the two real front-ends (SAML 2.0 and OpenID Connect)
 * made by the builders src/idp.ts uses (src/wiring/front-ends.ts) from the shipped conf/:
 * distinct ids; paths under /idp/ (where the IdP session cookie lives) or /.well-known/; no path
 * of one front-end inside the other's;
 * sessionless paths among the paths; and each sessionless path answered by the front-end's own
 * routes with no session store at all — publishing public material only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/audit/audit-log.js';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import type { ProfilePipeline, ProtocolFrontEnd } from '../../src/frontend/protocol-front-end.js';
import { RelyingPartyRegistry } from '../../src/relying-party/relying-party.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';
import { Messages } from '../../src/web/messages.js';
import { Views } from '../../src/web/views.js';
import { openAttributeServices } from '../../src/wiring/attribute-services.js';
import { sqliteFrontEndStores } from '../../src/wiring/front-end-stores.js';
import { oidcFrontEnd, samlFrontEnd, type FrontEndParts } from '../../src/wiring/front-ends.js';
import { openLogs } from '../../src/wiring/logs.js';
import { serve, type Served } from '../support/local-server.js';

const BASE_URL = 'http://127.0.0.1:8080';

let frontEnds: ProtocolFrontEnd[];
let served: Served;
let audit: AuditLog;
const pipelineCalls: string[] = [];

/** A pipeline that only records being called: no sessionless path may drive a request through it. */
const pipeline: ProfilePipeline = {
  start: () => Promise.resolve(void pipelineCalls.push('start')),
  parkInbound: () => Promise.resolve(void pipelineCalls.push('parkInbound')),
  continue: () => Promise.resolve(void pipelineCalls.push('continue')),
  dryRun: () => Promise.reject(new Error('dryRun')),
};

beforeAll(async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'front-ends-'));
  const config = loadConfiguration({
    home,
    confDir: DEFAULT_CONF_DIR,
    env: {},
    overrides: { 'idp.baseURL': BASE_URL, 'idp.loglevel.console': 'ERROR' },
  });
  const logs = await openLogs(config, false);
  audit = logs.audit;
  const db = openSqliteDatabase(':memory:');
  const messages = new Messages(config.messages);
  const parts: FrontEndParts = {
    config,
    ...logs,
    stores: sqliteFrontEndStores(db, { maxWaitMs: 0 }),
    ...(await openAttributeServices(config, db)),
    relyingParties: new RelyingPartyRegistry(config.relyingParties, config.resourceServers),
    views: new Views(messages),
    messages,
  };
  frontEnds = [await samlFrontEnd(parts), await oidcFrontEnd(parts)];
  // The front-ends' routes alone: no session middleware, no session store.
  const app = express();
  for (const frontEnd of frontEnds) app.use(frontEnd.routes(pipeline));
  served = await serve(app);
});

afterAll(async () => {
  await served?.close();
  await audit?.close();
});

describe('ProtocolFrontEnd contract', () => {
  it('the front-ends have distinct ids', () => {
    const ids = frontEnds.map((f) => f.id);
    expect(ids).toEqual(['saml2', 'oidc']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every path lies under /idp/ or /.well-known/', () => {
    for (const frontEnd of frontEnds) {
      expect(frontEnd.paths.length).toBeGreaterThan(0);
      for (const p of frontEnd.paths)
        expect(p, `${frontEnd.id}: ${p}`).toMatch(/^\/(idp|\.well-known)\/[^/]/);
    }
  });

  it('no path of one front-end lies inside a path of the other', () => {
    const under = (p: string, prefix: string) => {
      const base = prefix.replace(/\/+$/, '');
      return p === base || p.startsWith(`${base}/`);
    };
    const [saml, oidc] = frontEnds as [ProtocolFrontEnd, ProtocolFrontEnd];
    for (const a of saml.paths)
      for (const b of oidc.paths) expect(under(a, b) || under(b, a), `${a} / ${b}`).toBe(false);
  });

  it('sessionless paths are among the paths', () => {
    for (const frontEnd of frontEnds) {
      expect(frontEnd.sessionlessPaths.length).toBeGreaterThan(0);
      for (const p of frontEnd.sessionlessPaths)
        expect(frontEnd.paths, `${frontEnd.id}: ${p}`).toContain(p);
    }
  });

  it('SAML: the metadata is answered without a session, and holds no private key', async () => {
    const [saml] = frontEnds;
    expect(saml!.sessionlessPaths).toEqual(['/idp/shibboleth']);
    const response = await fetch(`${served.url}/idp/shibboleth`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    const xml = await response.text();
    expect(xml).toContain(`entityID="${BASE_URL}/idp/shibboleth"`);
    expect(xml).toContain(`Location="${BASE_URL}/idp/profile/SAML2/Redirect/SSO"`);
    expect(xml).not.toMatch(/PRIVATE KEY/);
    expect(pipelineCalls).toEqual([]);
  });

  it('OIDC: the key set is answered without a session, with public keys only', async () => {
    const [, oidc] = frontEnds;
    expect(oidc!.sessionlessPaths).toEqual(['/idp/profile/oidc/keyset']);
    const response = await fetch(`${served.url}/idp/profile/oidc/keyset`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k.kty).sort()).toEqual(['EC', 'RSA']);
    for (const k of keys)
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(secret);
    expect(pipelineCalls).toEqual([]);
  });

  it('SAML has an admission gate to run first; OIDC needs none', () => {
    const [saml, oidc] = frontEnds;
    expect(typeof saml!.admission?.()).toBe('function');
    expect('admission' in oidc!).toBe(false);
  });
});
