/**
 * The front-end stores as the composition root picks them (src/wiring/front-end-stores.ts): the
 * OpenID Connect front-end built on the shared Redis set keeps its state there, and answers a
 * token request it cannot serve because Redis does not answer with 503 and SHARED_STORE_FAILED —
 * no hang, no "oops" — and serves again once Redis is back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/audit/audit-log.js';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import type { ProfilePipeline } from '../../src/frontend/protocol-front-end.js';
import { RelyingPartyRegistry } from '../../src/relying-party/relying-party.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';
import { Messages } from '../../src/web/messages.js';
import { Views } from '../../src/web/views.js';
import { openAttributeServices } from '../../src/wiring/attribute-services.js';
import { redisFrontEndStores } from '../../src/wiring/front-end-stores.js';
import { oidcFrontEnd } from '../../src/wiring/front-ends.js';
import { openLogs } from '../../src/wiring/logs.js';
import { serve, type Served } from '../support/local-server.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { redisClients, TIMEOUT_MS } from '../support/redis-test-client.js';
import { serversAvailable } from '../support/system-servers.js';

const pipeline: ProfilePipeline = {
  start: () => Promise.reject(new Error('start')),
  parkInbound: () => Promise.reject(new Error('parkInbound')),
  continue: () => Promise.reject(new Error('continue')),
  dryRun: () => Promise.reject(new Error('dryRun')),
};

describe.runIf(serversAvailable('redis-server'))('the OIDC front-end on the Redis stores', () => {
  let redis: RedisServer;
  let clients: ReturnType<typeof redisClients>;
  let served: Served;
  let audit: AuditLog;
  let client: { id: string; secret: string };

  beforeAll(async () => {
    redis = await startRedis();
    clients = redisClients(redis.url);
    const home = mkdtempSync(path.join(tmpdir(), 'front-end-stores-'));
    const config = loadConfiguration({
      home,
      confDir: DEFAULT_CONF_DIR,
      env: {},
      overrides: { 'idp.baseURL': 'http://127.0.0.1:8080', 'idp.loglevel.console': 'ERROR' },
    });
    const logs = await openLogs(config, false);
    audit = logs.audit;
    const db = openSqliteDatabase(':memory:');
    const messages = new Messages(config.messages);
    const relyingParties = new RelyingPartyRegistry(config.relyingParties, config.resourceServers);
    const oidc = await oidcFrontEnd({
      config,
      ...logs,
      stores: redisFrontEndStores(await clients.connect(), 'fe:', TIMEOUT_MS),
      ...(await openAttributeServices(config, db)),
      relyingParties,
      views: new Views(messages),
      messages,
    });
    const demo = relyingParties.oidcClients[0]!;
    client = { id: demo.id, secret: demo.clientSecret };
    const app = express();
    app.use(oidc.routes(pipeline));
    served = await serve(app);
  });

  afterAll(async () => {
    redis?.resume();
    await served?.close();
    await audit?.close();
    clients?.closeAll();
    await redis?.stop();
  });

  const redeem = (code: string) =>
    fetch(`${served.url}/idp/profile/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(
          `${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`,
        ).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:9/callback',
        code_verifier: 'a'.repeat(43),
      }),
    });

  it('looks a code up in Redis: an unknown one is invalid_grant', async () => {
    const response = await redeem('no-such-code');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers 503 SHARED_STORE_FAILED while Redis does not answer, and serves again once it does', async () => {
    redis.pause();
    const response = await redeem('no-such-code');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: 'server_error',
      error_description:
        'the identity provider could not complete the request (SHARED_STORE_FAILED)',
    });
    redis.resume();
    await expect
      .poll(async () => (await redeem('no-such-code')).status, { timeout: 5_000 })
      .toBe(400);
  });
});
