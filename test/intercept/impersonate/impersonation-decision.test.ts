/**
 * The impersonation decision on its own, with made-up policies, directory and resolver that record
 * what they are asked: each answer, and the order of the checks — general policy, typed name,
 * account (protected flag, then attributes), specific policy (with the account's attributes and the
 * level) — with nothing asked after the step that decides.
 */
import { describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../src/access/access-control.js';
import type { ResolutionRequest } from '../../../src/attribute/attribute-resolver.js';
import { canonicalAccountName } from '../../../src/directory/account-name.js';
import {
  IMPERSONATE_RESOLUTION_LABEL,
  ImpersonationDecision,
  type Impersonator,
  type LookedUpTarget,
  type NamedTarget,
} from '../../../src/intercept/impersonate/impersonation-decision.js';

interface Verdict {
  readonly allowed: boolean;
  readonly request: AccessRequest;
}

const ACCOUNTS: Record<string, Record<string, string[]>> = {
  alice: { mail: ['alice@example.org'], impersonatableUsernames: ['bob'] },
  bob: { mail: ['bob@example.org'] },
  dave: { mail: ['dave@example.org'] },
  admin: { mail: ['admin@example.org'], eduPersonEntitlement: ['urn:admin'] },
};
/** Flagged protected in the made-up directory. */
const PROTECTED = new Set(['admin']);

const ALICE: Impersonator = {
  principalName: 'alice',
  attributes: { role: ['helpdesk'] },
  relyingParty: 'https://sp.example.org',
};

/**
 * A decision whose general policy answers `general` and whose specific policy allows `allowed`
 * (`'*'`: every account); `trace` lists every question asked.
 */
function decisionWith(
  options: { general?: boolean; allowed?: readonly string[]; identifyProtected?: boolean } = {},
) {
  const trace: string[] = [];
  const decision = new ImpersonationDecision<Verdict>({
    generalPolicy: (request) => {
      trace.push(
        request.operation === 'impersonate'
          ? `general(${request.resource})`
          : `general(${request.operation})`,
      );
      return { allowed: options.general ?? true, request };
    },
    specificPolicy: (request) => {
      trace.push(`specific(${request.resource})`);
      const allowed = options.allowed ?? [];
      return { allowed: allowed.includes('*') || allowed.includes(request.resource), request };
    },
    canonicalName: (typed) => {
      trace.push(`canonicalName(${typed})`);
      return canonicalAccountName(typed, { caseSensitive: false, maxLength: 64 });
    },
    resolve: (request: ResolutionRequest) => {
      trace.push(`resolve(${request.principal}, ${request.label})`);
      const source = ACCOUNTS[request.principal];
      return Promise.resolve({ principalFound: source !== undefined, attributes: source ?? {} });
    },
    isProtected: (account) => {
      trace.push(`protected(${account})`);
      return Promise.resolve(PROTECTED.has(account));
    },
    identifyProtected: options.identifyProtected ?? false,
  });
  return { decision, trace };
}

describe('checkGeneralAccess', () => {
  it('asks the general policy about the real user, their attributes and the relying party, with resource ""', () => {
    const { decision, trace } = decisionWith({ general: true });
    const verdict = decision.checkGeneralAccess(ALICE);
    expect(verdict.allowed).toBe(true);
    expect(verdict.request).toEqual({
      subject: 'alice',
      attributes: ALICE.attributes,
      relyingParty: ALICE.relyingParty,
      operation: 'impersonate',
      resource: '',
    });
    expect(trace).toEqual(['general()']);
  });

  it('passes the policy’s denial on as it is', () => {
    expect(decisionWith({ general: false }).decision.checkGeneralAccess(ALICE).allowed).toBe(false);
  });
});

describe('requiresReason', () => {
  it('asks the general policy about operation require-reason, resource ""', () => {
    const { decision, trace } = decisionWith({ general: true });
    expect(decision.requiresReason(ALICE).request).toMatchObject({
      operation: 'require-reason',
      resource: '',
    });
    expect(trace).toEqual(['general(require-reason)']);
  });
});

describe('decideTarget: each outcome', () => {
  it.each(['', '   ', '\u3000'])(
    '%j is no name: refused as empty (the form asks again), no policy asked',
    async (typed) => {
      const { decision, trace } = decisionWith({ allowed: ['bob'] });
      expect(await decision.decideTarget(ALICE, typed)).toEqual({
        reason: 'invalid-name',
        problem: 'empty',
      });
      expect(trace).toEqual([`canonicalName(${typed})`]);
    },
  );

  it.each([
    ['b*', 'wildcard'],
    ['bob\u0007', 'control-character'],
    ['x'.repeat(65), 'too-long'],
    ['bоb', 'mixed-script'],
  ])('%j is refused as %s before any policy sees it', async (typed, problem) => {
    const { decision, trace } = decisionWith({ allowed: ['bob', 'b*'] });
    expect(await decision.decideTarget(ALICE, typed)).toEqual({ reason: 'invalid-name', problem });
    expect(trace).toEqual([`canonicalName(${typed})`]);
  });

  it('the user’s own name, in any spelling, is no impersonation: no policy asked', async () => {
    const { decision, trace } = decisionWith({ allowed: ['alice'] });
    expect(await decision.decideTarget(ALICE, ' ＡＬＩＣＥ ')).toEqual({
      reason: 'own-name',
      account: 'alice',
    });
    expect(trace).toEqual(['canonicalName( ＡＬＩＣＥ )']);
  });

  it('a name the specific policy denies ends there, asked about the canonical account', async () => {
    const { decision, trace } = decisionWith({ allowed: ['bob'] });
    const decided = await decision.decideTarget(ALICE, ' Dave ');
    expect(decided).toMatchObject({
      reason: 'specific-denied',
      account: 'dave',
      specific: { allowed: false },
    });
    expect(decided.reason === 'specific-denied' && decided.specific.request).toEqual({
      subject: 'alice',
      attributes: ALICE.attributes,
      relyingParty: ALICE.relyingParty,
      operation: 'impersonate',
      resource: 'dave',
      targetAttributes: ACCOUNTS.dave,
      level: 'impersonate',
    });
    expect(trace).toEqual([
      'canonicalName( Dave )',
      'protected(dave)',
      `resolve(dave, ${IMPERSONATE_RESOLUTION_LABEL})`,
      'specific(dave)',
    ]);
  });

  it('an allowed name with no account is an unknown target', async () => {
    const { decision, trace } = decisionWith({ allowed: ['ghost'] });
    expect(await decision.decideTarget(ALICE, 'ghost')).toMatchObject({
      reason: 'unknown-target',
      account: 'ghost',
      specific: { allowed: true },
    });
    expect(trace).toEqual([
      'canonicalName(ghost)',
      'protected(ghost)',
      `resolve(ghost, ${IMPERSONATE_RESOLUTION_LABEL})`,
      'specific(ghost)',
    ]);
  });

  it('an allowed, existing account is impersonated, with its attributes resolved with label intercept/impersonate', async () => {
    const { decision } = decisionWith({ allowed: ['bob'] });
    expect(await decision.decideTarget(ALICE, 'BOB')).toMatchObject({
      reason: 'impersonate',
      account: 'bob',
      specific: { allowed: true },
      target: {
        account: 'bob',
        level: 'impersonate',
        attributes: ACCOUNTS.bob,
        resolutionLabel: 'intercept/impersonate',
      },
    });
  });
});

describe('a protected account', () => {
  it('is refused even when the specific policy allows every account, and its attributes are never resolved', async () => {
    const { decision, trace } = decisionWith({ allowed: ['*'] });
    expect(await decision.decideTarget(ALICE, ' Admin ')).toMatchObject({
      reason: 'protected-target',
      account: 'admin',
      specific: { allowed: true },
    });
    expect(trace).toEqual(['canonicalName( Admin )', 'protected(admin)', 'specific(admin)']);
  });

  it('is answered only after the specific policy allows: a refused user learns nothing of it', async () => {
    const { decision, trace } = decisionWith({ allowed: [] });
    const refused = await decision.decideTarget(ALICE, 'admin');
    const other = await decision.decideTarget(ALICE, 'dave');
    expect(refused.reason).toBe('specific-denied');
    expect(Object.keys(refused).sort()).toEqual(Object.keys(other).sort());
    // Not even its attributes: the policy sees none for a protected account.
    expect(
      refused.reason === 'specific-denied' && refused.specific.request.targetAttributes,
    ).toEqual({});
    expect(trace.slice(0, 3)).toEqual([
      'canonicalName(admin)',
      'protected(admin)',
      'specific(admin)',
    ]);
  });

  it('is refused at impersonate and delegate even when identify may preview it', async () => {
    const { decision } = decisionWith({ allowed: ['*'], identifyProtected: true });
    expect((await decision.decideTarget(ALICE, 'admin', 'impersonate')).reason).toBe(
      'protected-target',
    );
    expect((await decision.decideTarget(ALICE, 'admin', 'delegate')).reason).toBe(
      'protected-target',
    );
  });

  it('may be previewed at identify only with idp.impersonate.identify.protectedAccounts', async () => {
    const off = decisionWith({ allowed: ['*'] }).decision;
    expect((await off.decideTarget(ALICE, 'admin', 'identify')).reason).toBe('protected-target');
    const on = decisionWith({ allowed: ['*'], identifyProtected: true });
    expect(await on.decision.decideTarget(ALICE, 'admin', 'identify')).toMatchObject({
      reason: 'impersonate',
      target: { account: 'admin', level: 'identify', attributes: ACCOUNTS.admin },
    });
    // Resolved, so the specific policy (and its escalation guard) sees its attributes.
    expect(on.trace).toContain(`resolve(admin, ${IMPERSONATE_RESOLUTION_LABEL})`);
  });

  it('is the answer of explain when the general policy allows', async () => {
    const { decision } = decisionWith({ allowed: ['*'] });
    expect((await decision.explain(ALICE, 'admin')).reason).toBe('protected-target');
  });

  it('does not touch other accounts under the same policy', async () => {
    const { decision } = decisionWith({ allowed: ['*'] });
    expect((await decision.decideTarget(ALICE, 'dave')).reason).toBe('impersonate');
  });
});

describe('the order of the checks', () => {
  it('is: typed name, the account, then the specific policy', async () => {
    const { decision, trace } = decisionWith({ allowed: ['bob'] });
    await decision.decideTarget(ALICE, 'bob');
    expect(trace).toEqual([
      'canonicalName(bob)',
      'protected(bob)',
      `resolve(bob, ${IMPERSONATE_RESOLUTION_LABEL})`,
      'specific(bob)',
    ]);
  });

  it('answers a denied name before saying whether the account exists: the answer is the same', async () => {
    const { decision } = decisionWith({ allowed: [] });
    const existing = await decision.decideTarget(ALICE, 'dave');
    const missing = await decision.decideTarget(ALICE, 'ghost');
    expect(existing.reason).toBe('specific-denied');
    expect(missing.reason).toBe('specific-denied');
    expect(Object.keys(existing).sort()).toEqual(Object.keys(missing).sort());
  });

  it('gives the specific policy the account’s attributes and the level asked', async () => {
    const { decision } = decisionWith({ allowed: ['bob'] });
    const decided = await decision.decideTarget(ALICE, 'bob', 'delegate');
    expect(decided).toMatchObject({ reason: 'impersonate', target: { level: 'delegate' } });
    expect('specific' in decided && decided.specific.request).toMatchObject({
      targetAttributes: ACCOUNTS.bob,
      level: 'delegate',
    });
  });

  it('takes the steps only in that order (the types allow no other)', async () => {
    const { decision } = decisionWith({ allowed: ['bob'] });
    const plain = { account: 'bob' };
    // @ts-expect-error a plain name is no NamedTarget: only canonicalizeName gives one
    await decision.lookUpTarget(plain, 'impersonate');
    const named = decision.canonicalizeName(ALICE, 'bob');
    expect(named.reason).toBe('named');
    if (named.reason !== 'named') return;
    // @ts-expect-error a NamedTarget has not been looked up yet
    decision.checkSpecificAccess(ALICE, named.target);
    const found = await decision.lookUpTarget(named.target satisfies NamedTarget, 'impersonate');
    expect(decision.checkSpecificAccess(ALICE, found satisfies LookedUpTarget)).toMatchObject({
      reason: 'permitted',
    });
  });
});

describe('explain: the whole question, every step answered', () => {
  it('ends with general-denied when the general policy denies, still saying what the rest would answer', async () => {
    const { decision, trace } = decisionWith({ general: false, allowed: ['bob'] });
    const explained = await decision.explain(ALICE, 'bob');
    expect(explained.reason).toBe('general-denied');
    expect(explained.general.allowed).toBe(false);
    expect(explained.target).toMatchObject({ reason: 'impersonate', account: 'bob' });
    expect(trace).toEqual([
      'general()',
      'canonicalName(bob)',
      'protected(bob)',
      `resolve(bob, ${IMPERSONATE_RESOLUTION_LABEL})`,
      'specific(bob)',
    ]);
  });

  it('ends with form-offered when no name is given', async () => {
    const { decision, trace } = decisionWith({ general: true });
    expect(await decision.explain(ALICE)).toMatchObject({
      reason: 'form-offered',
      target: undefined,
    });
    expect(trace).toEqual(['general()']);
  });

  it.each([
    ['', 'invalid-name'],
    ['*', 'invalid-name'],
    ['alice', 'own-name'],
    ['dave', 'specific-denied'],
    ['ghost', 'unknown-target'],
    ['bob', 'impersonate'],
  ])('otherwise ends where the typed name’s steps end (%j: %s)', async (typed, reason) => {
    const { decision } = decisionWith({ general: true, allowed: ['bob', 'ghost'] });
    expect((await decision.explain(ALICE, typed)).reason).toBe(reason);
  });
});
