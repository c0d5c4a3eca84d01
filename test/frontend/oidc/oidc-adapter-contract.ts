/**
 * The oidc-provider adapter contract (oidc-provider's example/my_adapter.js), shared by the SQLite
 * and the Redis adapter's tests: what oidc-provider relies on, whatever the store.
 */
import { expect, it } from 'vitest';
import type { Adapter } from 'oidc-provider';

/** A fresh adapter class whose consumption time is now.t; each call an empty store. */
export type AdapterMaker = (now: { t: number }) => Promise<new (model: string) => Adapter>;

export function adapterContract(make: AdapterMaker): void {
  it('stores, finds, updates and destroys per model', async () => {
    const Adapter = await make({ t: Date.now() });
    const codes = new Adapter('AuthorizationCode');
    const tokens = new Adapter('AccessToken');
    await codes.upsert('x', { accountId: 'bob', grantId: 'g1' }, 60);
    await tokens.upsert('x', { accountId: 'carol', grantId: 'g2' }, 60);
    expect(await codes.find('x')).toEqual({ accountId: 'bob', grantId: 'g1' });
    expect(await tokens.find('x')).toEqual({ accountId: 'carol', grantId: 'g2' });
    await codes.upsert('x', { accountId: 'dave', grantId: 'g1' }, 60);
    expect((await codes.find('x'))?.accountId).toBe('dave');
    await codes.destroy('x');
    expect(await codes.find('x')).toBeUndefined();
    expect(await tokens.find('x')).toBeDefined();
    expect(await tokens.find('never')).toBeUndefined();
  });

  it('marks consumption, with the time it happened, and an update keeps the mark', async () => {
    const now = { t: 1_700_000_000_000 };
    const codes = new (await make(now))('AuthorizationCode');
    await codes.upsert('c', { grantId: 'g' }, 60);
    now.t += 2_000;
    await codes.consume('c');
    expect(await codes.find('c')).toEqual({ grantId: 'g', consumed: 1_700_000_002 });
    await codes.upsert('c', { grantId: 'g', accountId: 'bob' }, 60);
    expect(await codes.find('c')).toMatchObject({ consumed: 1_700_000_002 });
  });

  it('revokes everything issued under a grant, across models', async () => {
    const Adapter = await make({ t: Date.now() });
    const codes = new Adapter('AuthorizationCode');
    const tokens = new Adapter('AccessToken');
    await codes.upsert('c1', { grantId: 'g' }, 60);
    await tokens.upsert('a1', { grantId: 'g' }, 60);
    await tokens.upsert('a2', { grantId: 'other' }, 60);
    await tokens.revokeByGrantId('g');
    expect(await codes.find('c1')).toBeUndefined();
    expect(await tokens.find('a1')).toBeUndefined();
    expect(await tokens.find('a2')).toBeDefined();
  });

  it('finds sessions by uid and device codes by user code', async () => {
    const Adapter = await make({ t: Date.now() });
    const sessions = new Adapter('Session');
    await sessions.upsert('jti', { uid: 'u-1', accountId: 'alice' }, 60);
    expect(await sessions.findByUid('u-1')).toMatchObject({ accountId: 'alice' });
    expect(await sessions.findByUid('u-2')).toBeUndefined();
    const devices = new Adapter('DeviceCode');
    await devices.upsert('d', { userCode: 'ABCD-EFGH' }, 60);
    expect(await devices.findByUserCode('ABCD-EFGH')).toEqual({ userCode: 'ABCD-EFGH' });
    expect(await devices.findByUserCode('nope')).toBeUndefined();
  });

  it('finds a session by its current uid only, once it was saved with a new one', async () => {
    const sessions = new (await make({ t: Date.now() }))('Session');
    await sessions.upsert('jti', { uid: 'u-1', accountId: 'alice' }, 60);
    await sessions.upsert('jti', { uid: 'u-2', accountId: 'alice' }, 60);
    expect(await sessions.findByUid('u-1')).toBeUndefined();
    expect(await sessions.findByUid('u-2')).toMatchObject({ uid: 'u-2' });
  });
}
