/** The authorization records beside oidc-provider's grants: kept until they expire, pruned on writes. */
import { describe, expect, it } from 'vitest';
import {
  AuthorizationRecords,
  type AuthorizationRecord,
} from '../../../src/frontend/oidc/authorization-records.js';
import { openSqliteDatabase } from '../../../src/storage/sqlite-database.js';

function records(now: { t: number }) {
  const db = openSqliteDatabase(':memory:');
  const count = () =>
    (db.prepare('SELECT count(*) AS n FROM oidc_authorizations').get() as { n: number }).n;
  return { store: new AuthorizationRecords(db, () => now.t), count };
}

function record(grantId: string, expiresAt: number): AuthorizationRecord {
  return {
    grantId,
    clientId: 'demo-rp',
    subject: 'bob',
    impersonator: 'alice',
    resolutionLabel: 'intercept/impersonate',
    claims: ['email'],
    sso: true,
    authnInstant: 1,
    authnMethod: 'password',
    startTime: 1,
    expiresAt,
  };
}

describe('AuthorizationRecords', () => {
  it('answers for a grant until the record expires', () => {
    const now = { t: 1_000 };
    const { store } = records(now);
    store.put(record('g1', 2_000));
    expect(store.get('g1')).toMatchObject({ subject: 'bob', impersonator: 'alice' });
    expect(store.get('other')).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
    now.t = 2_000;
    expect(store.get('g1')).toBeUndefined();
  });

  it('keeps a record longer when its grant is reused, never shorter', () => {
    const now = { t: 1_000 };
    const { store } = records(now);
    store.put(record('g1', 2_000));
    store.extend('g1', 5_000);
    store.extend('g1', 3_000);
    now.t = 4_000;
    expect(store.get('g1')).toMatchObject({ subject: 'bob', expiresAt: 5_000 });
  });

  it('removes expired records on every write, a bounded number at a time', () => {
    const now = { t: 1_000 };
    const { store, count } = records(now);
    for (let i = 0; i < 40; i++) store.put(record(`old${i}`, 2_000));
    now.t = 3_000;
    store.put(record('new1', 10_000));
    expect(count()).toBe(41 - 16); // one batch of 16 removed by this write
    store.put(record('new2', 10_000));
    store.put(record('new3', 10_000));
    expect(count()).toBe(3);
  });
});
