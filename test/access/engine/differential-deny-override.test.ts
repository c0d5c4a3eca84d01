/**
 * Differential test, part 2 of 4: the shipped matcher under deny-override
 * (!some(where (p.eft == deny))), where every request that no deny row matches is allowed —
 * including the ones no row matches at all — against casbin's own enforceExSync.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONF_DIR } from '../../../src/core/paths.js';
import { runDifferential, withEffect } from './differential.js';

const MODEL = withEffect(
  readFileSync(path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'), 'utf8'),
  '!some(where (p.eft == deny))',
);

describe('the indexed engine against casbin, deny-override', () => {
  it('answers 2,500 random requests exactly as casbin enforceExSync, rule for rule', async () => {
    const result = await runDifferential({
      model: MODEL,
      seed: 3,
      rows: 1000,
      users: 700,
      requests: 2500,
    });
    expect(result.indexed).toBe(true);
    expect(result.sameRows).toBe(true);
    expect(result.mismatches.slice(0, 5)).toEqual([]);
    expect(result.allowed).toBeGreaterThan(500);
    expect(result.denied).toBeGreaterThan(100);
  }, 120_000);
});
