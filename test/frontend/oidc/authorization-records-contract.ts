/**
 * What every AuthorizationRecords store does, shared by the SQLite and the Redis store's tests.
 * Times are near the real clock: Redis expires keys by its own.
 */
import { expect, it } from 'vitest';
import type {
  AuthorizationRecord,
  AuthorizationRecords,
} from '../../../src/frontend/oidc/authorization-records.js';

/** A fresh, empty store whose clock is now.t. */
export type RecordsMaker = (now: { t: number }) => Promise<AuthorizationRecords>;

export function record(grantId: string, expiresAt: number): AuthorizationRecord {
  return {
    grantId,
    clientId: 'demo-rp',
    subject: 'bob',
    impersonator: 'alice',
    resolutionLabel: 'intercept/impersonate',
    tokens: { lifetimeMs: 300_000, refreshTokens: false },
    requestedTarget: { typed: 'Bob', account: 'bob' },
    reason: 'INC-1 — “quoted”',
    level: 'delegate',
    claims: ['email'],
    sso: true,
    authnInstant: 1,
    authnMethod: 'password',
    startTime: 1,
    expiresAt,
  };
}

export function authorizationRecordsContract(make: RecordsMaker): void {
  const T = Date.now();

  it('answers for a grant, every field as written, until the record expires', async () => {
    const now = { t: T };
    const store = await make(now);
    await store.put(record('g1', T + 60_000));
    await store.put({ ...record('g2', T + 60_000), claims: [] });
    expect(await store.get('g1')).toEqual(record('g1', T + 60_000));
    expect((await store.get('g2'))?.claims).toEqual([]);
    expect(await store.get('other')).toBeUndefined();
    expect(await store.get(undefined)).toBeUndefined();
    now.t = T + 60_000;
    expect(await store.get('g1')).toBeUndefined();
  });

  it('keeps a record longer when its grant is reused, never shorter', async () => {
    const now = { t: T };
    const store = await make(now);
    await store.put(record('g1', T + 10_000));
    await store.extend('g1', T + 50_000);
    await store.extend('g1', T + 30_000);
    await store.extend('unknown', T + 50_000);
    now.t = T + 40_000;
    expect(await store.get('g1')).toMatchObject({ subject: 'bob', expiresAt: T + 50_000 });
    expect(await store.get('unknown')).toBeUndefined();
  });

  it('replaces the record of a grant written again', async () => {
    const store = await make({ t: T });
    await store.put(record('g1', T + 10_000));
    await store.put({ ...record('g1', T + 20_000), subject: 'carol' });
    expect(await store.get('g1')).toMatchObject({ subject: 'carol', expiresAt: T + 20_000 });
  });
}
