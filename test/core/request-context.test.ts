/**
 * The stage guards of the profile request context: a step that needs a subject or resolved
 * attributes is only run once the context has them.
 */
import { describe, expect, it } from 'vitest';
import {
  isAuthenticated,
  isResolved,
  type ProfileRequestContext,
  type SubjectContext,
} from '../../src/core/request-context.js';

const subject: SubjectContext = {
  principalName: 'bob',
  impersonation: {
    impersonator: 'alice',
    resolutionLabel: 'intercept/impersonate',
    tokens: { lifetimeMs: 600_000, refreshTokens: false },
    level: 'impersonate',
  },
  authnInstant: 1,
  authnMethod: 'password',
  sso: false,
};
const attributes = { unfiltered: { uid: ['bob'] }, filtered: {} };

function context(extra: Partial<ProfileRequestContext> = {}): ProfileRequestContext {
  return {
    profile: 'SAML2/SSO',
    frontEnd: 'saml2',
    relyingPartyId: 'https://sp.example.org/shibboleth',
    inbound: {},
    passive: false,
    forceAuthn: false,
    startTime: 0,
    step: 'authenticate',
    audit: {},
    ...extra,
  };
}

describe('stage guards', () => {
  it('a new request is neither authenticated nor resolved', () => {
    const prc = context();
    expect(isAuthenticated(prc)).toBe(false);
    expect(isResolved(prc)).toBe(false);
  });

  it('with a subject it is authenticated, not yet resolved', () => {
    const prc = context({ subject, step: 'resolve-attributes' });
    expect(isAuthenticated(prc)).toBe(true);
    expect(isResolved(prc)).toBe(false);
  });

  it('with a subject and attributes it is resolved (and authenticated)', () => {
    const prc = context({ subject, attributes, step: 'intercept' });
    expect(isAuthenticated(prc)).toBe(true);
    expect(isResolved(prc)).toBe(true);
  });

  it('attributes without a subject do not make it resolved', () => {
    const prc = context({ attributes });
    expect(isAuthenticated(prc)).toBe(false);
    expect(isResolved(prc)).toBe(false);
  });

  it('decides on what the context holds, not on the step it says it is at', () => {
    expect(isAuthenticated(context({ step: 'respond' }))).toBe(false);
    expect(isResolved(context({ step: 'respond', subject }))).toBe(false);
  });

  it('still holds after a round trip through JSON (the context waits in the flow-execution store)', () => {
    const prc = JSON.parse(
      JSON.stringify(context({ subject, attributes })),
    ) as ProfileRequestContext;
    expect(isResolved(prc)).toBe(true);
    expect(isResolved(prc) && prc.subject.impersonation?.impersonator).toBe('alice');
  });
});
