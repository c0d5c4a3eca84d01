/**
 * oidc-provider's adapter on a real redis-server: the contract the SQLite adapter meets
 * (oidc-adapter-contract.ts), two clients as two IdP nodes sharing one Redis, a TTL on every key,
 * and a paused Redis ending a command with SHARED_STORE_FAILED rather than a hang.
 */
import { errors } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { IdpError } from '../../../src/core/errors.js';
import { redisAdapterFactory } from '../../../src/frontend/oidc/redis-oidc-adapter.js';
import { TIMEOUT_MS, ttlsUnder, useRedis } from '../../support/redis-test-client.js';
import { serversAvailable } from '../../support/system-servers.js';
import { adapterContract } from './oidc-adapter-contract.js';

describe.runIf(serversAvailable('redis-server'))('Redis oidc-provider adapter', () => {
  const redis = useRedis();
  const { prefix } = redis;

  describe('the adapter contract', () => {
    adapterContract(async (now) =>
      redisAdapterFactory(await redis.connect(), prefix(), TIMEOUT_MS, () => now.t),
    );
  });

  it('gives every key a TTL no longer than its entry, the grant set as long as its longest member', async () => {
    const client = await redis.connect();
    const p = prefix();
    const Adapter = redisAdapterFactory(client, p, TIMEOUT_MS);
    await new Adapter('AuthorizationCode').upsert('c', { grantId: 'g' }, 60);
    await new Adapter('RefreshToken').upsert('r', { grantId: 'g' }, 3600);
    await new Adapter('AccessToken').upsert('a', { grantId: 'g' }, 600);
    await new Adapter('Session').upsert('s', { uid: 'u' }, 120);
    await new Adapter('DeviceCode').upsert('d', { userCode: 'U-C' }, 90);
    const ttls = await ttlsUnder(client, p);
    expect([...ttls.keys()].sort()).toEqual(
      [
        'oidc:AccessToken:a',
        'oidc:AuthorizationCode:c',
        'oidc:DeviceCode:d',
        'oidc:RefreshToken:r',
        'oidc:Session:s',
        'oidc:grant:g',
        'oidc:uid:Session:u',
        'oidc:usercode:DeviceCode:U-C',
      ].map((k) => p + k),
    );
    for (const [key, ttl] of ttls) expect(ttl, key).toBeGreaterThan(0);
    expect(ttls.get(`${p}oidc:AuthorizationCode:c`)).toBeLessThanOrEqual(60_000);
    expect(ttls.get(`${p}oidc:uid:Session:u`)).toBeLessThanOrEqual(120_000);
    // The refresh token (an hour) is the longest member; a later, shorter one does not shorten it.
    expect(ttls.get(`${p}oidc:grant:g`)).toBeGreaterThan(600_000);
    expect(ttls.get(`${p}oidc:grant:g`)).toBeLessThanOrEqual(3_600_000);
  });

  it('forgets an entry when its TTL runs out', async () => {
    const client = await redis.connect();
    const p = prefix();
    const tokens = new (redisAdapterFactory(client, p, TIMEOUT_MS))('AccessToken');
    await tokens.upsert('t', { grantId: 'g' }, 1);
    expect(await tokens.find('t')).toBeDefined();
    await expect.poll(() => tokens.find('t'), { timeout: 5_000 }).toBeUndefined();
  });

  describe('two nodes on one Redis', () => {
    async function twoNodes() {
      const p = prefix();
      const one = redisAdapterFactory(await redis.connect(), p, TIMEOUT_MS);
      const two = redisAdapterFactory(await redis.connect(), p, TIMEOUT_MS);
      return { one, two };
    }

    it('a code consumed through one is consumed for the other', async () => {
      const { one, two } = await twoNodes();
      await new one('AuthorizationCode').upsert('c', { grantId: 'g' }, 60);
      await new one('AuthorizationCode').consume('c');
      expect(await new two('AuthorizationCode').find('c')).toMatchObject({
        consumed: expect.any(Number) as number,
      });
    });

    it('a second consume of a code — a redemption racing another node — is refused and revokes the grant', async () => {
      const { one, two } = await twoNodes();
      await new one('AuthorizationCode').upsert('c', { grantId: 'g' }, 60);
      await new one('AccessToken').upsert('a', { grantId: 'g' }, 600);
      await new one('AuthorizationCode').consume('c');
      await expect(new two('AuthorizationCode').consume('c')).rejects.toBeInstanceOf(
        errors.InvalidGrant,
      );
      expect(await new one('AccessToken').find('a')).toBeUndefined();
      expect(await new one('AuthorizationCode').find('c')).toBeUndefined();
    });

    it('revoking a grant through one removes its entries for both', async () => {
      const { one, two } = await twoNodes();
      await new one('AccessToken').upsert('a', { grantId: 'g' }, 600);
      await new two('RefreshToken').upsert('r', { grantId: 'g' }, 3600);
      await new one('AccessToken').revokeByGrantId('g');
      expect(await new two('AccessToken').find('a')).toBeUndefined();
      expect(await new two('RefreshToken').find('r')).toBeUndefined();
    });
  });

  it('a consume of something gone does not bring it back', async () => {
    const client = await redis.connect();
    const p = prefix();
    const codes = new (redisAdapterFactory(client, p, TIMEOUT_MS))('AuthorizationCode');
    await codes.consume('gone');
    expect(await ttlsUnder(client, p)).toEqual(new Map());
  });

  it('a paused Redis fails the command with SHARED_STORE_FAILED, and it works again once resumed', async () => {
    const tokens = new (redisAdapterFactory(await redis.connect(), prefix(), TIMEOUT_MS))(
      'AccessToken',
    );
    await tokens.upsert('t', { grantId: 'g' }, 60);
    redis.server.pause();
    const failed = await tokens.find('t').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(IdpError);
    expect(failed).toMatchObject({ code: 'SHARED_STORE_FAILED', status: 503 });
    await expect(tokens.upsert('u', { grantId: 'g' }, 60)).rejects.toMatchObject({
      code: 'SHARED_STORE_FAILED',
    });
    redis.server.resume();
    await expect
      .poll(() => tokens.find('t').catch(() => 'failed'), { timeout: 5_000 })
      .toMatchObject({
        grantId: 'g',
      });
  });
});
