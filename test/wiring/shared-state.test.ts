/**
 * An IdP with idp.storage.type = redis, against a real redis-server: its sessions, waiting forms
 * and login failures live in Redis, every key it writes has a TTL, and it fails closed and
 * recovers on its own — a stopped Redis ends a sign-in with the 503 page and releases nothing, the
 * next sign-in after Redis continues works without a restart, and a Redis restarted empty only
 * means signing in again. A password file that cannot be used stops the IdP before it connects.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdpProperties } from '../../src/config/idp-properties.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { openSharedState } from '../../src/wiring/shared-state.js';
import { Browser, type Page } from '../support/browser.js';
import { freshPrefix } from '../support/redis-client.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { serversAvailable } from '../support/system-servers.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { hasSamlResponse, signInThrough, TestSp } from '../support/test-sp.js';

const UNAVAILABLE = "The identity provider's shared session store could not be reached in time.";

describe.runIf(serversAvailable('redis-server'))('shared state in Redis', () => {
  let server: RedisServer;
  let t: TestIdp;
  let sp: TestSp;
  let prefix: string;
  /** The test's own look at Redis, beside the IdP's connection. */
  let redis: ReturnType<typeof createClient>;

  beforeAll(async () => {
    server = await startRedis();
    prefix = freshPrefix();
    t = await startTestIdp({
      properties: {
        'idp.storage.type': 'redis',
        'idp.storage.redis.url': server.url,
        'idp.storage.redis.keyPrefix': prefix,
        'idp.storage.redis.commandTimeout': 'PT0.5S',
      },
    });
    sp = await TestSp.create(t.baseURL);
    redis = createClient({ url: server.url, socket: { reconnectStrategy: 50 } });
    redis.on('error', () => undefined);
    await redis.connect();
  });
  afterAll(async () => {
    redis?.destroy();
    await t?.close();
    await server?.stop();
  });

  const keys = async (pattern = '*') => {
    const found: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}${pattern}`, COUNT: 100 }))
      found.push(...batch);
    return found.sort();
  };
  const errorOf = (page: Page) => page.html.querySelector('.error')?.text;

  it('keeps the session and the waiting login form in Redis', async () => {
    const browser = new Browser();
    const form = await browser.get(await sp.loginURL());
    expect(await keys('session:*')).toHaveLength(1);
    const [execution] = await keys('execution:*');
    expect(execution).toBeDefined();
    const page = await browser.submit(
      form,
      { j_username: 'dave', j_password: 'demo-dave' },
      '_eventId_proceed',
    );
    expect(hasSamlResponse(page)).toBe(true);
    expect(await redis.exists(execution!), 'the form was taken').toBe(0);
    // The login's session (a new id: session fixation) holds the login.
    const sessions = await Promise.all((await keys('session:*')).map((k) => redis.get(k)));
    expect(sessions.some((s) => s?.includes('"principalName":"dave"'))).toBe(true);
  });

  it('gives every key it writes a TTL (a failed login, a login, an impersonation, its release)', async () => {
    const browser = new Browser();
    // carol's failure stays counted; erin's own is cleared by her login.
    const wrong = await browser.submit(
      await browser.get(await sp.loginURL()),
      { j_username: 'carol', j_password: 'wrong' },
      '_eventId_proceed',
    );
    expect(errorOf(wrong)).toBe('The username or password is wrong.');
    const form = await browser.submit(
      wrong,
      { j_username: 'erin', j_password: 'demo-erin' },
      '_eventId_proceed',
    );
    expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
    const released = await browser.submit(form, { principal: 'bob' }, '_eventId_impersonate');
    expect(hasSamlResponse(released)).toBe(true);

    const all = await keys();
    expect(all.some((k) => k.startsWith(`${prefix}login-failures:`))).toBe(true);
    expect(all.some((k) => k.startsWith(`${prefix}session:`))).toBe(true);
    for (const key of all) expect(await redis.pTTL(key), key).toBeGreaterThan(0);
  });

  it('ends a sign-in with the 503 page while Redis is stopped, and works again once it continues', async () => {
    const browser = new Browser();
    const form = await browser.get(await sp.loginURL());
    const audited = t.auditRecords().length;
    server.pause();
    let page: Page;
    try {
      page = await browser.submit(
        form,
        { j_username: 'dave', j_password: 'demo-dave' },
        '_eventId_proceed',
      );
    } finally {
      server.resume();
    }
    expect(page.status).toBe(503);
    expect(errorOf(page)).toContain(UNAVAILABLE);
    expect(hasSamlResponse(page)).toBe(false);
    expect(t.auditRecords(), 'nothing released, nothing audited').toHaveLength(audited);
    await expect.poll(() => t.processLog()).toContain('SHARED_STORE_FAILED');

    // No restart: the next sign-in, in a new browser, goes through.
    expect(hasSamlResponse(await signInThrough(sp, new Browser(), 'dave'))).toBe(true);
  });

  it('asks for a login again after Redis restarted empty, without failing', async () => {
    const browser = new Browser();
    expect(hasSamlResponse(await signInThrough(sp, browser, 'dave'))).toBe(true);
    await server.restart();
    // Until the IdP has reconnected a request may get the 503 page; then the login form.
    await expect
      .poll(async () => (await browser.get(await sp.loginURL())).status, { timeout: 10_000 })
      .toBe(200);
    const again = await browser.get(await sp.loginURL());
    expect(
      again.html.querySelector('input[name=j_password]'),
      'the old session is gone',
    ).not.toBeNull();
    const page = await browser.submit(
      again,
      { j_username: 'dave', j_password: 'demo-dave' },
      '_eventId_proceed',
    );
    expect(hasSamlResponse(page)).toBe(true);
  });
});

describe('the Redis password file', () => {
  const load = (overrides: Record<string, string>) =>
    loadIdpProperties({
      home: path.dirname(DEFAULT_CONF_DIR),
      confDir: DEFAULT_CONF_DIR,
      env: {},
      overrides,
    });

  it('refuses an unreadable or empty password file, naming file and key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-conf-'));
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '\n');
    for (const [file, why] of [
      [path.join(dir, 'missing'), 'cannot be read'],
      [empty, 'the file holds no password'],
    ] as const) {
      const props = load({
        'idp.storage.type': 'redis',
        'idp.storage.redis.passwordFile': file,
      });
      const err = await openSharedState(
        props,
        undefined as never,
        { maxWaitMs: 1 },
        undefined as never,
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigurationError);
      expect((err as ConfigurationError).message).toContain(
        `${file}: idp.storage.redis.passwordFile: ${why}`,
      );
    }
  });
});
