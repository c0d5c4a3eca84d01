/**
 * The shipped impersonation policies, decided by casbin exactly as at sign-in: the real user's
 * attributes come from the real directory and resolver.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { coreServices, type CoreServices } from '../support/core-services.js';

const DEMO_SP = 'https://sp.demo.example.org/shibboleth';
const OTHER_EXAMPLE_SP = 'https://wiki.example.org/shibboleth';
const OUTSIDE_SP = 'https://sp.partner.example.net/shibboleth';

let s: CoreServices;
beforeAll(async () => {
  s = await coreServices();
});

async function decide(policy: string, user: string, rp: string, target = ''): Promise<boolean> {
  return s.accessControl.getInstance(policy).checkAccess({
    subject: user,
    attributes: await s.attributesOf(user),
    relyingParty: rp,
    operation: 'impersonate',
    resource: target,
  }).allowed;
}

describe('GeneralImpersonationPolicy (is the form offered?)', () => {
  it.each([
    ['alice', DEMO_SP, true], // entitlement + the SP is in her impersonatableServices
    ['alice', OTHER_EXAMPLE_SP, false], // entitled, but not for this service
    ['erin', DEMO_SP, true], // help desk role, example.org service
    ['erin', OTHER_EXAMPLE_SP, true],
    ['erin', OUTSIDE_SP, false],
    ['dave', DEMO_SP, false], // no entitlement
    ['carol', DEMO_SP, false], // another entitlement is not this one
    ['admin', DEMO_SP, false],
  ])('%s at %s → %s', async (user, rp, allowed) => {
    expect(await decide('GeneralImpersonationPolicy', user, rp)).toBe(allowed);
  });
});

describe('SpecificImpersonationPolicy (may this account be impersonated?)', () => {
  it.each([
    ['alice', 'bob', DEMO_SP, true],
    ['alice', 'carol', DEMO_SP, true],
    ['alice', 'dave', DEMO_SP, false], // not in impersonatableUsernames
    ['alice', 'admin', DEMO_SP, false],
    ['alice', 'bob', OTHER_EXAMPLE_SP, false], // not in impersonatableServices
    ['erin', 'dave', DEMO_SP, true],
    ['erin', 'alice', OTHER_EXAMPLE_SP, true],
    ['erin', 'admin', DEMO_SP, false], // protected: the deny wins
    ['erin', 'admin', OTHER_EXAMPLE_SP, false],
    ['erin', 'dave', OUTSIDE_SP, false],
    ['dave', 'bob', DEMO_SP, false],
    ['bob', 'alice', DEMO_SP, false],
  ])('%s as %s at %s → %s', async (user, target, rp, allowed) => {
    expect(await decide('SpecificImpersonationPolicy', user, rp, target)).toBe(allowed);
  });

  it('explains a denial with the rule that decided it', async () => {
    const decision = s.accessControl.getInstance('SpecificImpersonationPolicy').checkAccess({
      subject: 'erin',
      attributes: await s.attributesOf('erin'),
      relyingParty: DEMO_SP,
      operation: 'impersonate',
      resource: 'admin',
    });
    expect(decision).toMatchObject({ allowed: false, policy: 'SpecificImpersonationPolicy' });
    expect(decision.matched).toEqual([['*', 'group:protected', '*', 'impersonate', 'deny']]);
  });

  it('sees only the operation it is asked about', async () => {
    const decision = s.accessControl.getInstance('SpecificImpersonationPolicy').checkAccess({
      subject: 'alice',
      attributes: await s.attributesOf('alice'),
      relyingParty: DEMO_SP,
      operation: 'administer',
      resource: 'bob',
    });
    expect(decision.allowed).toBe(false);
  });

  it('would let the help desk match a typed "*" — which is why the flow refuses it before asking', async () => {
    expect(await decide('SpecificImpersonationPolicy', 'erin', DEMO_SP, '*')).toBe(true);
    expect(s.directory.canonicalName('*')).toMatchObject({ ok: false, problem: 'wildcard' });
  });
});

describe('a policy name that does not exist', () => {
  it('denies everything', async () => {
    expect(await decide('NoSuchPolicy', 'alice', DEMO_SP, 'bob')).toBe(false);
  });
});
