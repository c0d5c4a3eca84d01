/**
 * The level posted on the impersonate form, checked against the relying party's effective cap:
 * the levels offered, the default when none is posted, and refusals (unknown, above the cap) —
 * never a silent lowering.
 */
import { describe, expect, it } from 'vitest';
import {
  checkLevel,
  defaultLevel,
  offeredLevels,
} from '../../../src/intercept/impersonate/impersonation-level.js';
import type { RelyingPartyImpersonation } from '../../../src/relying-party/rp-impersonation.js';

const DEFAULTS: RelyingPartyImpersonation = {};
const PREVIEW_ONLY: RelyingPartyImpersonation = { maxLevel: 'identify' };
const DELEGATING: RelyingPartyImpersonation = { maxLevel: 'delegate', trustedForDelegation: true };
const DECLARES_IDENTIFY: RelyingPartyImpersonation = {
  maxLevel: 'delegate',
  trustedForDelegation: true,
  declaredMaxLevel: 'identify',
};
const DECLARES_IMPERSONATE: RelyingPartyImpersonation = {
  ...DELEGATING,
  declaredMaxLevel: 'impersonate',
};

describe('offeredLevels', () => {
  it.each([
    ['the defaults', DEFAULTS, ['identify', 'impersonate']],
    ['maxLevel identify', PREVIEW_ONLY, ['identify']],
    ['maxLevel delegate', DELEGATING, ['identify', 'impersonate', 'delegate']],
    ['delegate, but the RP declares identify', DECLARES_IDENTIFY, ['identify']],
    [
      'delegate, but the RP declares impersonate',
      DECLARES_IMPERSONATE,
      ['identify', 'impersonate'],
    ],
  ])('offers at %s', (_what, rp, levels) => {
    expect(offeredLevels(rp)).toEqual(levels);
  });
});

describe('defaultLevel', () => {
  it('is impersonate (today’s behaviour) where the RP admits it, even where delegate is offered', () => {
    expect(defaultLevel(DEFAULTS)).toBe('impersonate');
    expect(defaultLevel(DELEGATING)).toBe('impersonate');
    expect(defaultLevel(DECLARES_IMPERSONATE)).toBe('impersonate');
  });

  it('is identify where the cap is identify', () => {
    expect(defaultLevel(PREVIEW_ONLY)).toBe('identify');
    expect(defaultLevel(DECLARES_IDENTIFY)).toBe('identify');
  });
});

describe('checkLevel', () => {
  it('takes the default level when none is posted', () => {
    expect(checkLevel('', DEFAULTS)).toEqual({ ok: true, level: 'impersonate' });
    expect(checkLevel('', DELEGATING)).toEqual({ ok: true, level: 'impersonate' });
    expect(checkLevel('', PREVIEW_ONLY)).toEqual({ ok: true, level: 'identify' });
  });

  it('takes every offered level', () => {
    for (const level of ['identify', 'impersonate', 'delegate'] as const)
      expect(checkLevel(level, DELEGATING)).toEqual({ ok: true, level });
  });

  it.each([
    ['delegate', DEFAULTS],
    ['impersonate', PREVIEW_ONLY],
    ['delegate', PREVIEW_ONLY],
    ['impersonate', DECLARES_IDENTIFY],
    ['delegate', DECLARES_IMPERSONATE],
  ])('refuses %s above the cap, never lowering it', (level, rp) => {
    expect(checkLevel(level, rp)).toEqual({ ok: false, problem: 'above-cap' });
  });

  it.each(['Delegate', ' impersonate', 'impersonation', 'admin', 'identify,delegate', 'toString'])(
    'refuses the unknown level %j',
    (raw) => {
      expect(checkLevel(raw, DELEGATING)).toEqual({ ok: false, problem: 'unknown-level' });
    },
  );
});
