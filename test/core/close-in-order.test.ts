import { describe, expect, it } from 'vitest';
import { closeInOrder } from '../../src/core/close-in-order.js';

describe('closeInOrder', () => {
  it('closes every part in order, even after one fails, then reports every failure', async () => {
    const closed: string[] = [];
    const failure = closeInOrder([
      () => void closed.push('a'),
      () => Promise.reject(new Error('redis hangs')),
      () => {
        throw new Error('ldap gone');
      },
      () => Promise.resolve(void closed.push('audit')),
    ]);
    await expect(failure).rejects.toMatchObject({
      errors: [
        expect.objectContaining({ message: 'redis hangs' }),
        expect.objectContaining({ message: 'ldap gone' }),
      ],
    });
    expect(closed).toEqual(['a', 'audit']);
  });

  it('resolves when every part closes', async () => {
    await expect(closeInOrder([() => undefined, () => Promise.resolve()])).resolves.toBeUndefined();
  });
});
