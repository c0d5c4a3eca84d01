/** The oidc-provider adapter contract (example/my_adapter.js) on the embedded SQLite database. */
import { describe, expect, it } from 'vitest';
import {
  PRUNE_BATCH,
  sqliteAdapterFactory,
} from '../../../src/frontend/oidc/sqlite-oidc-adapter.js';
import { openSqliteDatabase } from '../../../src/storage/sqlite-database.js';

function adapters(now: { t: number }) {
  const db = openSqliteDatabase(':memory:');
  const Adapter = sqliteAdapterFactory(db, () => now.t);
  const rows = () => (db.prepare('SELECT count(*) AS n FROM oidc_models').get() as { n: number }).n;
  return {
    codes: new Adapter('AuthorizationCode'),
    tokens: new Adapter('AccessToken'),
    sessions: new Adapter('Session'),
    Adapter,
    rows,
  };
}

describe('SQLite oidc-provider adapter', () => {
  it('stores, finds, updates and destroys per model', async () => {
    const { codes, tokens } = adapters({ t: 1_000_000 });
    await codes.upsert('x', { accountId: 'bob', grantId: 'g1' }, 60);
    await tokens.upsert('x', { accountId: 'carol', grantId: 'g2' }, 60);
    expect(await codes.find('x')).toEqual({ accountId: 'bob', grantId: 'g1' });
    expect(await tokens.find('x')).toEqual({ accountId: 'carol', grantId: 'g2' });
    await codes.upsert('x', { accountId: 'dave', grantId: 'g1' }, 60);
    expect((await codes.find('x'))?.accountId).toBe('dave');
    await codes.destroy('x');
    expect(await codes.find('x')).toBeUndefined();
    expect(await tokens.find('x')).toBeDefined();
  });

  it('marks consumption, with the time it happened', async () => {
    const now = { t: 5_000_000 };
    const { codes } = adapters(now);
    await codes.upsert('c', { grantId: 'g' }, 60);
    now.t += 2_000;
    await codes.consume('c');
    expect(await codes.find('c')).toEqual({ grantId: 'g', consumed: 5_002 });
  });

  it('forgets entries once they expire', async () => {
    const now = { t: 1_000 };
    const { tokens } = adapters(now);
    await tokens.upsert('t', { grantId: 'g' }, 10);
    now.t += 9_999;
    expect(await tokens.find('t')).toBeDefined();
    now.t += 1;
    expect(await tokens.find('t')).toBeUndefined();
  });

  it('revokes everything issued under a grant, across models', async () => {
    const { codes, tokens } = adapters({ t: 1 });
    await codes.upsert('c1', { grantId: 'g' }, 60);
    await tokens.upsert('a1', { grantId: 'g' }, 60);
    await tokens.upsert('a2', { grantId: 'other' }, 60);
    await tokens.revokeByGrantId('g');
    expect(await codes.find('c1')).toBeUndefined();
    expect(await tokens.find('a1')).toBeUndefined();
    expect(await tokens.find('a2')).toBeDefined();
  });

  it('finds sessions by uid and device codes by user code', async () => {
    const { sessions, Adapter } = adapters({ t: 1 });
    await sessions.upsert('jti', { uid: 'u-1', accountId: 'alice' }, 60);
    expect(await sessions.findByUid('u-1')).toMatchObject({ accountId: 'alice' });
    const devices = new Adapter('DeviceCode');
    await devices.upsert('d', { userCode: 'ABCD-EFGH' }, 60);
    expect(await devices.findByUserCode('ABCD-EFGH')).toEqual({ userCode: 'ABCD-EFGH' });
    expect(await devices.findByUserCode('nope')).toBeUndefined();
  });

  it('removes expired rows on every write, a bounded number at a time', async () => {
    const now = { t: 1_000 };
    const { tokens, rows } = adapters(now);
    for (let i = 0; i < 3 * PRUNE_BATCH; i++) await tokens.upsert(`old${i}`, { grantId: 'g' }, 10);
    await tokens.upsert('keep', { grantId: 'g' }, 3600);
    expect(rows()).toBe(3 * PRUNE_BATCH + 1);
    now.t += 11_000; // all but "keep" expired
    await tokens.upsert('new1', { grantId: 'g' }, 3600);
    expect(rows()).toBe(3 * PRUNE_BATCH + 2 - PRUNE_BATCH); // one write removed one batch, no more
    await tokens.upsert('new2', { grantId: 'g' }, 3600);
    await tokens.upsert('new3', { grantId: 'g' }, 3600);
    expect(rows()).toBe(4); // keep, new1-3: the backlog is gone, faster than rows came in
    expect(await tokens.find('keep')).toBeDefined();
  });
});
