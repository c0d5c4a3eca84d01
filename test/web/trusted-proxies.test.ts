/**
 * idp.trustedProxies: only a balancer named there may say who the client is. Anyone else's
 * X-Forwarded-For is ignored, so a client cannot pick the address the login throttle counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';

let t: TestIdp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The status endpoint's policy allows loopback only: the address the IdP sees decides. */
function statusWith(forwardedFor: string): Promise<Response> {
  return fetch(`${t!.baseURL}/idp/profile/admin/access-control`, {
    headers: { 'x-forwarded-for': forwardedFor, accept: 'application/json' },
  });
}

describe('idp.trustedProxies', () => {
  it('ignores X-Forwarded-For by default: the address is the connection', async () => {
    t = await startTestIdp();
    expect((await statusWith('203.0.113.9')).status).toBe(200);
  });

  it('believes a listed balancer: the client is the address it forwards', async () => {
    t = await startTestIdp({ properties: { 'idp.trustedProxies': '127.0.0.1, ::1' } });
    expect((await statusWith('203.0.113.9')).status).toBe(403);
    expect(t.lastAudit().a).toBe('203.0.113.9');
    // Only the hop the balancer added counts; what the client itself sent before it does not.
    expect((await statusWith('127.0.0.1, 203.0.113.10')).status).toBe(403);
    expect(t.lastAudit().a).toBe('203.0.113.10');
  });

  it.each(['proxy.example.org', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129'])(
    'refuses %s at start-up, naming the key',
    (value) => {
      expect(() =>
        loadConfiguration({
          home: '/tmp',
          confDir: DEFAULT_CONF_DIR,
          env: {},
          overrides: { 'idp.trustedProxies': value },
        }),
      ).toThrow(/idp\.trustedProxies.*no IP address or CIDR range/);
    },
  );
});
