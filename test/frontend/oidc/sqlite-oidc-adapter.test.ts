/** The oidc-provider adapter contract (oidc-adapter-contract.ts) on the embedded SQLite database, and its pruning. */
import { describe, expect, it } from 'vitest';
import {
  PRUNE_BATCH,
  sqliteAdapterFactory,
} from '../../../src/frontend/oidc/sqlite-oidc-adapter.js';
import { openSqliteDatabase } from '../../../src/storage/sqlite-database.js';
import { adapterContract } from './oidc-adapter-contract.js';

function adapters(now: { t: number }) {
  const db = openSqliteDatabase(':memory:');
  const Adapter = sqliteAdapterFactory(db, () => now.t);
  const rows = () => (db.prepare('SELECT count(*) AS n FROM oidc_models').get() as { n: number }).n;
  return {
    tokens: new Adapter('AccessToken'),
    rows,
  };
}

describe('SQLite oidc-provider adapter', () => {
  adapterContract((now) =>
    Promise.resolve(sqliteAdapterFactory(openSqliteDatabase(':memory:'), () => now.t)),
  );

  it('forgets entries once they expire', async () => {
    const now = { t: 1_000 };
    const { tokens } = adapters(now);
    await tokens.upsert('t', { grantId: 'g' }, 10);
    now.t += 9_999;
    expect(await tokens.find('t')).toBeDefined();
    now.t += 1;
    expect(await tokens.find('t')).toBeUndefined();
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
