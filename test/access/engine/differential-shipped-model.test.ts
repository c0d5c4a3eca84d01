/**
 * Differential test, part 1 of 4 (10,000 requests in all): the shipped impersonation model
 * (allow-and-deny) over a generated policy of about 2,800 rows — users, roles three levels deep
 * plus a chain deeper than casbin's limit and a cycle, nested groups, "*" and prefix patterns,
 * globs of every kind, attribute rows, explicit denies — against casbin's own enforceExSync.
 * Also shows the check has teeth: with one deliberately wrong index hint it finds mismatches.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_MATCH_HINT, type IndexHint } from '../../../src/access/engine/index-hints.js';
import { DEFAULT_CONF_DIR } from '../../../src/core/paths.js';
import { runDifferential } from './differential.js';

const MODEL = readFileSync(
  path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'),
  'utf8',
);

describe('the indexed engine against casbin, shipped model', () => {
  it('answers 3,000 random requests exactly as casbin enforceExSync, rule for rule', async () => {
    const result = await runDifferential({
      model: MODEL,
      seed: 1,
      rows: 1000,
      users: 700,
      requests: 3000,
    });
    expect(result.indexed).toBe(true);
    expect(result.sameRows).toBe(true);
    expect(result.policyRows).toBeGreaterThan(2500);
    expect(result.mismatches.slice(0, 5)).toEqual([]);
    // Both answers are common, and most decisions name a rule: the comparison is not trivial.
    expect(result.allowed).toBeGreaterThan(600);
    expect(result.denied).toBeGreaterThan(600);
    expect(result.explained).toBeGreaterThan(1200);
  }, 120_000);

  it('catches a wrong index: keyMatch rows filed as exact keys lose their "*" patterns', async () => {
    const wrong: IndexHint = {
      ...KEY_MATCH_HINT,
      rowKey: (v) => String(v),
      requestKeys: ([x]) => ({ exact: [String(x)] }),
    };
    const result = await runDifferential({
      model: MODEL,
      seed: 2,
      rows: 1000,
      users: 700,
      requests: 400,
      hints: new Map([['keyMatch', wrong]]),
    });
    expect(result.mismatches.length).toBeGreaterThan(0);
  }, 120_000);
});
