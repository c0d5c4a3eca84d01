/**
 * The token limits of a grant: an impersonation keeps the limits its subject came with, never
 * looser than the configuration in force now (a tightening applies to existing impersonations at
 * restart, as when the front-end read the configuration for every token); a plain grant has none.
 */
import { describe, expect, it } from 'vitest';
import type { IdpProperties } from '../../../src/config/idp-properties.js';
import type { AuthorizationRecord } from '../../../src/frontend/oidc/authorization-records.js';
import { grantLifetimeMs, tokenPolicyOf } from '../../../src/frontend/oidc/grant-retention.js';

const MINUTE = 60_000;

function oidc(impersonationTokenLifetimeMs: number, impersonationRefreshTokens: boolean) {
  return {
    accessTokenLifetimeMs: 60 * MINUTE,
    idTokenLifetimeMs: 60 * MINUTE,
    refreshTokenLifetimeMs: 14 * 24 * 60 * MINUTE,
    impersonationTokenLifetimeMs,
    impersonationRefreshTokens,
  } as IdpProperties['oidc'];
}

function record(extra: Partial<AuthorizationRecord>): AuthorizationRecord {
  return {
    grantId: 'g',
    clientId: 'c',
    subject: 'bob',
    resolutionLabel: 'OIDC/SSO',
    claims: [],
    sso: false,
    authnInstant: 0,
    authnMethod: 'password',
    startTime: 0,
    expiresAt: 0,
    ...extra,
  };
}

const impersonation = (lifetimeMs: number, refreshTokens: boolean) =>
  record({
    impersonator: 'alice',
    resolutionLabel: 'intercept/impersonate',
    tokens: { lifetimeMs, refreshTokens },
  });

describe('tokenPolicyOf', () => {
  it('gives a plain grant no limits: the configured lifetimes apply', () => {
    expect(tokenPolicyOf(oidc(10 * MINUTE, false), record({}))).toBeUndefined();
    expect(tokenPolicyOf(oidc(10 * MINUTE, false), undefined)).toBeUndefined();
  });

  it('keeps the limits an impersonation came with while the configuration is the same or looser', () => {
    expect(tokenPolicyOf(oidc(10 * MINUTE, false), impersonation(10 * MINUTE, false))).toEqual({
      lifetimeMs: 10 * MINUTE,
      refreshTokens: false,
    });
    expect(tokenPolicyOf(oidc(30 * MINUTE, true), impersonation(10 * MINUTE, false))).toEqual({
      lifetimeMs: 10 * MINUTE,
      refreshTokens: false,
    });
  });

  it('applies a stricter configuration to existing impersonations', () => {
    expect(tokenPolicyOf(oidc(5 * MINUTE, false), impersonation(10 * MINUTE, true))).toEqual({
      lifetimeMs: 5 * MINUTE,
      refreshTokens: false,
    });
  });

  it('gives an impersonation recorded without limits (an earlier release) the configured ones', () => {
    const old = record({ impersonator: 'alice', resolutionLabel: 'intercept/impersonate' });
    expect(tokenPolicyOf(oidc(7 * MINUTE, true), old)).toEqual({
      lifetimeMs: 7 * MINUTE,
      refreshTokens: true,
    });
  });
});

describe('grantLifetimeMs', () => {
  it('keeps an impersonation without refresh tokens for its code and token lifetime only', () => {
    const config = oidc(10 * MINUTE, false);
    const tokens = tokenPolicyOf(config, impersonation(10 * MINUTE, false));
    const plain = grantLifetimeMs(config, { offlineAccess: true });
    const impersonated = grantLifetimeMs(config, { tokens, offlineAccess: true });
    expect(impersonated).toBeLessThan(11 * MINUTE + 1);
    expect(plain).toBeGreaterThan(14 * 24 * 60 * MINUTE);
  });
});
