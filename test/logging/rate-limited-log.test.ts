/** A flood of one kind of log line is counted, not written line by line; every kind still shows. */
import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from '../../src/logging/rate-limited-log.js';

describe('RateLimitedLog', () => {
  it('writes a burst per kind and interval, then reports how many it held back', () => {
    const clock = { now: 0 };
    const lines: string[] = [];
    const log = new RateLimitedLog(3, 10_000, () => clock.now);
    for (let i = 0; i < 10; i++) log.write('MESSAGE_MALFORMED', `bad ${i}`, (l) => lines.push(l));
    log.write('NOT_FOUND', 'missing', (l) => lines.push(l));
    expect(lines).toEqual(['bad 0', 'bad 1', 'bad 2', 'missing']);
    clock.now = 10_000;
    log.write('MESSAGE_MALFORMED', 'bad again', (l) => lines.push(l));
    expect(lines.at(-1)).toBe('bad again (and 7 more like it not logged in the previous 10 s)');
  });
});
