/**
 * The authorization records beside oidc-provider's grants on SQLite: the store's contract
 * (authorization-records-contract.ts), kept until they expire, pruned on writes; the level they
 * were made at, and the actor claim (act) of a delegation.
 */
import { describe, expect, it } from 'vitest';
import { actClaimOf } from '../../../src/frontend/oidc/act-claim.js';
import {
  impersonationLevel,
  type AuthorizationRecord,
} from '../../../src/frontend/oidc/authorization-records.js';
import { SqliteAuthorizationRecords } from '../../../src/frontend/oidc/sqlite-authorization-records.js';
import { openSqliteDatabase } from '../../../src/storage/sqlite-database.js';
import { authorizationRecordsContract } from './authorization-records-contract.js';

function records(now: { t: number }) {
  const db = openSqliteDatabase(':memory:');
  const count = () =>
    (db.prepare('SELECT count(*) AS n FROM oidc_authorizations').get() as { n: number }).n;
  return { store: new SqliteAuthorizationRecords(db, () => now.t), count };
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

describe('SqliteAuthorizationRecords', () => {
  authorizationRecordsContract((now) => Promise.resolve(records(now).store));

  it('removes expired records on every write, a bounded number at a time', async () => {
    const now = { t: 1_000 };
    const { store, count } = records(now);
    for (let i = 0; i < 40; i++) await store.put(record(`old${i}`, 2_000));
    now.t = 3_000;
    await store.put(record('new1', 10_000));
    expect(count()).toBe(41 - 16); // one batch of 16 removed by this write
    await store.put(record('new2', 10_000));
    await store.put(record('new3', 10_000));
    expect(count()).toBe(3);
  });
});

describe('the level of an authorization record', () => {
  const impersonation = record('g1', 2_000);
  const { impersonator: _, ...ordinary } = impersonation;

  it('is the level it was made at; a record written before levels, with an impersonator, is impersonate', async () => {
    const now = { t: 1_000 };
    const { store } = records(now);
    await store.put({ ...impersonation, grantId: 'd', level: 'delegate', reason: 'INC-1' });
    await store.put(impersonation); // as an earlier release wrote it: no level
    await store.put({ ...ordinary, grantId: 'o' });
    expect(impersonationLevel(await store.get('d'))).toBe('delegate');
    expect(impersonationLevel(await store.get('g1'))).toBe('impersonate');
    expect(impersonationLevel(await store.get('o'))).toBeUndefined();
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
