/** Logout messages parked between a cross-site POST and the browser's GET: taken once, until they expire. */
import { describe, expect, it } from 'vitest';
import { ParkedMessages } from '../../../../src/frontend/saml/logout/parked-messages.js';

describe('parked logout messages', () => {
  it('are taken once, and not after they expire', () => {
    let now = 1_000;
    const parked = new ParkedMessages<string>(500, () => now);
    const once = parked.park('a');
    expect(parked.take(once)).toBe('a');
    expect(parked.take(once)).toBeUndefined();
    const late = parked.park('b');
    now += 500;
    expect(parked.take(late)).toBeUndefined();
    expect(parked.take('no-such-key')).toBeUndefined();
  });

  it('drop the oldest beyond 1000', () => {
    const parked = new ParkedMessages<number>(60_000);
    const keys = Array.from({ length: 1001 }, (_, i) => parked.park(i));
    expect(parked.take(keys[0]!)).toBeUndefined();
    expect(parked.take(keys[1]!)).toBe(1);
    expect(parked.take(keys[1000]!)).toBe(1000);
  });
});
