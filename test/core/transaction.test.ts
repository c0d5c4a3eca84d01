/** The transaction id: random, 16 base64url characters, and carried through awaits. */
import { describe, expect, it } from 'vitest';
import {
  currentTransactionId,
  inNewTransaction,
  inTransaction,
  newTransactionId,
} from '../../src/core/transaction.js';

describe('transaction ids', () => {
  it('are 16 base64url characters, each new one different', () => {
    const ids = new Set(Array.from({ length: 1000 }, newTransactionId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('follow the work through awaits and timers, and never leak into other work', async () => {
    expect(currentTransactionId()).toBeUndefined();
    const seen = await Promise.all([
      inTransaction('a'.repeat(16), async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        return currentTransactionId();
      }),
      inNewTransaction(async () => {
        const before = currentTransactionId();
        await new Promise((resolve) => setImmediate(resolve));
        return before === currentTransactionId() ? before : 'changed';
      }),
    ]);
    expect(seen[0]).toBe('a'.repeat(16));
    expect(seen[1]).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(currentTransactionId()).toBeUndefined();
  });
});
