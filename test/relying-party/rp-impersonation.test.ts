/** The impersonation levels and modes of a relying party, as pure functions. */
import { describe, expect, it } from 'vitest';
import {
  IMPERSONATION_LEVELS,
  effectiveMaxLevel,
  impersonationMode,
  levelsUpTo,
  lowerLevel,
  type ImpersonationLevel,
} from '../../src/relying-party/rp-impersonation.js';

describe('levels', () => {
  it('orders identify < impersonate < delegate', () => {
    expect(IMPERSONATION_LEVELS).toEqual(['identify', 'impersonate', 'delegate']);
  });

  it.each([
    ['identify', 'delegate', 'identify'],
    ['delegate', 'identify', 'identify'],
    ['impersonate', 'delegate', 'impersonate'],
    ['delegate', 'impersonate', 'impersonate'],
    ['delegate', 'delegate', 'delegate'],
  ] as const)('lowerLevel(%s, %s) is %s', (a, b, lower) => {
    expect(lowerLevel(a, b)).toBe(lower);
  });

  it.each([
    ['identify', ['identify']],
    ['impersonate', ['identify', 'impersonate']],
    ['delegate', ['identify', 'impersonate', 'delegate']],
  ] as const)('levelsUpTo(%s)', (cap, levels) => {
    expect(levelsUpTo(cap)).toEqual(levels);
  });
});

describe('effectiveMaxLevel', () => {
  it('is impersonate when neither the administrator nor the RP says anything', () => {
    expect(effectiveMaxLevel({})).toBe('impersonate');
  });

  const levels: (ImpersonationLevel | undefined)[] = [undefined, ...IMPERSONATION_LEVELS];
  const rank = (l: ImpersonationLevel) => IMPERSONATION_LEVELS.indexOf(l);
  it.each(levels.flatMap((maxLevel) => levels.map((declared) => [maxLevel, declared] as const)))(
    'admin %s, RP declares %s: the lower of the two (admin default impersonate)',
    (maxLevel, declaredMaxLevel) => {
      const admin = maxLevel ?? 'impersonate';
      const expected =
        declaredMaxLevel === undefined || rank(admin) <= rank(declaredMaxLevel)
          ? admin
          : declaredMaxLevel;
      expect(effectiveMaxLevel({ maxLevel, declaredMaxLevel, trustedForDelegation: true })).toBe(
        expected,
      );
    },
  );

  it('never rises above the administrator cap because the RP declares more', () => {
    expect(effectiveMaxLevel({ declaredMaxLevel: 'delegate' })).toBe('impersonate');
    expect(effectiveMaxLevel({ maxLevel: 'identify', declaredMaxLevel: 'delegate' })).toBe(
      'identify',
    );
  });
});

describe('impersonationMode', () => {
  it('defaults to allowed and otherwise is what relying-party.yaml says', () => {
    expect(impersonationMode({})).toBe('allowed');
    expect(impersonationMode({ mode: 'notAllowed' })).toBe('notAllowed');
    expect(impersonationMode({ mode: 'required' })).toBe('required');
  });
});
