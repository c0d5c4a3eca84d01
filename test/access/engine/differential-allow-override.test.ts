/**
 * Differential test, part 3 of 4: the shipped matcher under allow-override
 * (some(where (p.eft == allow))), where casbin names the first allowing row in policy order —
 * against casbin's own enforceExSync.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONF_DIR } from '../../../src/core/paths.js';
import { runDifferential, withEffect } from './differential.js';

const MODEL = withEffect(
  readFileSync(path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'), 'utf8'),
  'some(where (p.eft == allow))',
);

describe('the indexed engine against casbin, allow-override', () => {
  it('answers 2,500 random requests exactly as casbin enforceExSync, rule for rule', async () => {
    const result = await runDifferential({
      model: MODEL,
      seed: 4,
      rows: 1000,
      users: 700,
      requests: 2500,
    });
    expect(result.indexed).toBe(true);
    expect(result.sameRows).toBe(true);
    expect(result.mismatches.slice(0, 5)).toEqual([]);
    expect(result.allowed).toBeGreaterThan(500);
    expect(result.denied).toBeGreaterThan(500);
  }, 120_000);
});
