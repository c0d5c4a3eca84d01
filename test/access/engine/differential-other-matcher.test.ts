/**
 * Differential test, part 4 of 4: a matcher of other shapes — `===`, literals on either side,
 * a reversed keyMatch no index can answer (so a whole disjunction falls back to every row), a
 * request-only comparison and a conditional the indexes skip — against casbin's enforceExSync.
 */
import { describe, expect, it } from 'vitest';
import { runDifferential } from './differential.js';

const MODEL = `
[request_definition]
r = sub, attrs, rp, act, obj

[policy_definition]
p = sub, obj, rp, act, eft

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = (p.act === r.act || "administer" == p.act) \\
  && (g(r.sub, p.sub) || keyMatch(p.sub, r.sub) || hasAttribute(r.attrs, p.sub)) \\
  && (g2(r.obj, p.obj) || keyMatch(r.obj, p.obj)) \\
  && (globMatch(r.rp, p.rp) || r.rp == p.rp || inAttribute(r.attrs, p.rp, r.rp)) \\
  && r.sub != r.obj && (r.act == "administer" ? p.eft == "deny" : true)
`;

describe('the indexed engine against casbin, other matcher shapes', () => {
  it('answers 2,000 random requests exactly as casbin enforceExSync, rule for rule', async () => {
    const result = await runDifferential({
      model: MODEL,
      seed: 5,
      rows: 1000,
      users: 700,
      requests: 2000,
    });
    expect(result.indexed).toBe(true);
    expect(result.sameRows).toBe(true);
    expect(result.mismatches.slice(0, 5)).toEqual([]);
    expect(result.allowed).toBeGreaterThan(200);
    expect(result.denied).toBeGreaterThan(200);
  }, 120_000);
});
