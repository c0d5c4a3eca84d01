/**
 * RequestRecords: a grant's record is read from the store once per request, a failed read is not
 * remembered, and the synchronous read (oidc-provider's ttl) answers only what the request read.
 */
import { describe, expect, it } from 'vitest';
import type {
  AuthorizationRecord,
  AuthorizationRecords,
} from '../../../src/frontend/oidc/authorization-records.js';
import { RequestRecords } from '../../../src/frontend/oidc/request-records.js';
import { record } from './authorization-records-contract.js';

function counting(failFirst = false) {
  const reads: string[] = [];
  let fail = failFirst;
  const store: AuthorizationRecords = {
    put: () => Promise.resolve(),
    extend: () => Promise.resolve(),
    get: (grantId) => {
      reads.push(grantId!);
      if (fail) {
        fail = false;
        return Promise.reject(new Error('store down'));
      }
      return Promise.resolve(grantId === 'g1' ? record('g1', 1) : undefined);
    },
  };
  return { store, reads };
}

describe('RequestRecords', () => {
  it('reads each grant once per request, and again for another request', async () => {
    const { store, reads } = counting();
    const records = new RequestRecords(store);
    const one = {};
    const two = {};
    const first: AuthorizationRecord | undefined = await records.get(one, 'g1');
    expect(first).toMatchObject({ grantId: 'g1' });
    await records.get(one, 'g1');
    await records.get(one, 'g2');
    await records.get(two, 'g1');
    expect(await records.get(one, undefined)).toBeUndefined();
    expect(reads).toEqual(['g1', 'g2', 'g1']);
  });

  it('answers synchronously only what the request has read; the absence of a record too', async () => {
    const records = new RequestRecords(counting().store);
    const request = {};
    expect(() => records.read(request, 'g1')).toThrow(/before the request had read it/);
    expect(() => records.read(undefined, 'g1')).toThrow();
    expect(records.read(request, undefined)).toBeUndefined();
    await records.get(request, 'g1');
    await records.get(request, 'g2');
    expect(records.read(request, 'g1')).toMatchObject({ grantId: 'g1' });
    expect(records.read(request, 'g2')).toBeUndefined();
  });

  it('does not remember a failed read', async () => {
    const { store, reads } = counting(true);
    const records = new RequestRecords(store);
    const request = {};
    await expect(records.get(request, 'g1')).rejects.toThrow('store down');
    expect(() => records.read(request, 'g1')).toThrow();
    expect(await records.get(request, 'g1')).toMatchObject({ grantId: 'g1' });
    expect(reads).toEqual(['g1', 'g1']);
  });
});
