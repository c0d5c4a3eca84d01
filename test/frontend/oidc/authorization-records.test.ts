/**
 * The authorization records beside oidc-provider's grants: kept until they expire, pruned on
 * writes; the level they were made at, and the actor claim (act) of a delegation.
 */
import { describe, expect, it } from 'vitest';
import { actClaimOf } from '../../../src/frontend/oidc/act-claim.js';
import {
  AuthorizationRecords,
  impersonationLevel,
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

describe('the level of an authorization record', () => {
  const impersonation = record('g1', 2_000);
  const { impersonator: _, ...ordinary } = impersonation;

  it('is the level it was made at; a record written before levels, with an impersonator, is impersonate', () => {
    const now = { t: 1_000 };
    const { store } = records(now);
    store.put({ ...impersonation, grantId: 'd', level: 'delegate', reason: 'INC-1' });
    store.put(impersonation); // as an earlier release wrote it: no level
    store.put({ ...ordinary, grantId: 'o' });
    expect(impersonationLevel(store.get('d'))).toBe('delegate');
    expect(impersonationLevel(store.get('g1'))).toBe('impersonate');
    expect(impersonationLevel(store.get('o'))).toBeUndefined();
    expect(impersonationLevel(undefined)).toBeUndefined();
  });

  it('gives act only at delegate: the impersonator, and the reason when one was given', () => {
    expect(actClaimOf({ ...impersonation, level: 'delegate', reason: 'INC-1' })).toEqual({
      act: { sub: 'alice', reason: 'INC-1' },
    });
    expect(actClaimOf({ ...impersonation, level: 'delegate' })).toEqual({ act: { sub: 'alice' } });
    expect(actClaimOf({ ...impersonation, level: 'impersonate', reason: 'INC-1' })).toEqual({});
    expect(actClaimOf(impersonation)).toEqual({});
    // A level without an impersonator is no delegation.
    expect(actClaimOf({ ...ordinary, level: 'delegate' })).toEqual({});
    expect(actClaimOf(undefined)).toEqual({});
  });
});
