/**
 * The impersonate state machine on its own: each transition of impersonate-flow.ts, with the real
 * shipped policies, directory and resolver, and no HTTP.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImpersonateFlow } from '../../../src/intercept/impersonate/impersonate-flow.js';
import type {
  InterceptAuditFields,
  InterceptContext,
} from '../../../src/intercept/intercept-flow.js';
import type { ResolvedContext } from '../../../src/core/request-context.js';
import type { RelyingParty } from '../../../src/relying-party/relying-party.js';
import { coreServices, type CoreServices } from '../../support/core-services.js';

const TOKENS = { lifetimeMs: 600_000, refreshTokens: false };
let s: CoreServices;
let flow: ImpersonateFlow;
let rp: RelyingParty;
/** What the flow asked to audit, in order (the runner's step writes it; see impersonate-audit.test.ts). */
const audited: InterceptAuditFields[] = [];

beforeAll(async () => {
  s = await coreServices();
  flow = new ImpersonateFlow(
    {
      generalPolicy: 'GeneralImpersonationPolicy',
      specificPolicy: 'SpecificImpersonationPolicy',
      tokens: TOKENS,
      reason: { maxLength: 200, required: false },
      identifyProtected: false,
    },
    {
      accessControl: s.accessControl,
      directory: s.directory,
      resolver: s.resolver,
      filter: s.filter,
      log: s.log,
    },
  );
  rp = s.config.relyingParties[0]!;
});

async function contextFor(
  user: string,
  impersonation: RelyingParty['impersonation'] = rp.impersonation,
): Promise<InterceptContext> {
  const unfiltered = await s.attributesOf(user);
  const prc: ResolvedContext = {
    profile: 'SAML2/SSO',
    frontEnd: 'saml2',
    relyingPartyId: rp.id,
    inbound: {},
    passive: false,
    forceAuthn: false,
    startTime: Date.now(),
    step: 'intercept',
    subject: { principalName: user, authnInstant: Date.now(), authnMethod: 'pwd', sso: false },
    attributes: { unfiltered, filtered: s.filter.filter(unfiltered, rp.id) },
    audit: {},
  };
  return {
    prc,
    relyingParty: { ...rp, impersonation },
    audit: (fields) => Promise.resolve(void audited.push(fields)),
  };
}

describe('CheckGeneralAccess', () => {
  it('ends with proceed, showing nothing, when the general policy denies', async () => {
    const ctx = await contextFor('dave');
    expect(await flow.start(ctx)).toEqual({ end: 'proceed' });
    expect(ctx.prc.subject.principalName).toBe('dave');
  });

  it('shows ImpersonateView when it allows, with the select list from impersonatableUsernames', async () => {
    const outcome = await flow.start(await contextFor('alice'));
    expect(outcome).toMatchObject({
      view: 'intercept/impersonate',
      model: { choices: ['bob', 'carol'], principalName: 'alice' },
    });
    expect(audited.at(-1)).toEqual({ act: 'offer', det: ['choices=2'] });
  });

  it('shows a free text field when the real user has no impersonatableUsernames', async () => {
    const outcome = await flow.start(await contextFor('erin'));
    expect(outcome).toMatchObject({ view: 'intercept/impersonate', model: { choices: undefined } });
  });
});

describe('ImpersonateView → CheckForImpersonation', () => {
  it('"Continue normally" (event proceed) ends with proceed even with a name filled in', async () => {
    const ctx = await contextFor('alice');
    expect(await flow.resume(ctx, {}, 'proceed', { principal: 'bob' })).toEqual({ end: 'proceed' });
    expect(audited.at(-1)).toMatchObject({ act: 'choose', det: ['choice=self'] });
    expect(ctx.prc.subject.principalName).toBe('alice');
    expect(ctx.prc.subject.impersonation).toBeUndefined();
  });

  it.each<Record<string, string>>([{ principal: '' }, {}])(
    'an empty principal (%j) shows the view again with "Enter an account name" — stricter than Shibboleth, which proceeds',
    async (form) => {
      const ctx = await contextFor('alice');
      expect(await flow.resume(ctx, {}, 'impersonate', form)).toMatchObject({
        view: 'intercept/impersonate',
        model: { error: 'impersonate.invalid-name.empty', typed: '', choices: ['bob', 'carol'] },
      });
      expect(audited.at(-1)).toEqual({
        act: 'refuse',
        e: 'InvalidImpersonationName',
        ut: '',
        det: ['problem=empty'],
      });
      expect(ctx.prc.audit).toEqual({});
      expect(ctx.prc.subject.principalName).toBe('alice');
    },
  );
});

describe('CanonicalizeName', () => {
  it('shows the view again, with the reason, for a name that is no account name', async () => {
    const ctx = await contextFor('erin');
    expect(await flow.resume(ctx, {}, 'impersonate', { principal: 'b*' })).toMatchObject({
      view: 'intercept/impersonate',
      model: { error: 'impersonate.invalid-name.wildcard', typed: 'b*' },
    });
    expect(audited.at(-1)).toEqual({
      act: 'refuse',
      e: 'InvalidImpersonationName',
      ut: 'b*',
      det: ['problem=wildcard'],
    });
    expect(ctx.prc.subject.principalName).toBe('erin');
  });

  it('refuses a name of only white space as empty, keeping what was typed', async () => {
    const ctx = await contextFor('erin');
    expect(await flow.resume(ctx, {}, 'impersonate', { principal: ' \t\u3000' })).toMatchObject({
      view: 'intercept/impersonate',
      model: { error: 'impersonate.invalid-name.empty', typed: ' \t\u3000' },
    });
    expect(audited.at(-1)).toEqual({
      act: 'refuse',
      e: 'InvalidImpersonationName',
      ut: ' \t\u3000',
      det: ['problem=empty'],
    });
    expect(ctx.prc.subject.impersonation).toBeUndefined();
  });

  it('treats the own name, in any spelling, as continuing normally', async () => {
    const ctx = await contextFor('erin');
    expect(await flow.resume(ctx, {}, 'impersonate', { principal: ' ＥＲＩＮ ' })).toEqual({
      end: 'proceed',
    });
    expect(audited.at(-1)).toEqual({
      act: 'choose',
      ut: ' ＥＲＩＮ ',
      utc: 'erin',
      det: ['choice=self', 'typed=own-name'],
    });
    expect(ctx.prc.audit).toEqual({});
  });
});

describe('CheckSpecificAccess and DoImpersonate', () => {
  it('swaps the subject, records uu, and re-resolves and re-filters the attributes as the target', async () => {
    const ctx = await contextFor('alice');
    expect(await flow.resume(ctx, {}, 'impersonate', { principal: 'Bob' })).toEqual({
      end: 'proceed',
    });
    expect(ctx.prc.subject).toMatchObject({
      principalName: 'bob',
      impersonation: {
        impersonator: 'alice',
        resolutionLabel: 'intercept/impersonate',
        tokens: TOKENS,
        level: 'impersonate',
      },
    });
    expect(ctx.prc.audit).toEqual({
      uu: ['alice'],
      ut: ['Bob'],
      utc: ['bob'],
      det: ['level=impersonate'],
    });
    expect(ctx.prc.attributes.unfiltered.mail).toEqual(['bob@example.org']);
    // Resolved with label intercept/impersonate: impersonation rights are never resolved for the target.
    expect(ctx.prc.attributes.unfiltered.impersonatableUsernames).toBeUndefined();
    expect(ctx.prc.attributes.filtered).toEqual(
      s.filter.filter(ctx.prc.attributes.unfiltered, rp.id),
    );
    await expect
      .poll(() => readFileSync(s.logFile, 'utf8'))
      .toContain(
        "INFO [idp] - Impersonation by principal 'alice' as 'bob' to relying party 'https://sp.demo.example.org/shibboleth'",
      );
  });

  it('ends with ImpersonationViolation, changing nothing but the audit of what was asked, when the specific policy denies', async () => {
    const ctx = await contextFor('alice');
    const before = structuredClone(ctx.prc);
    expect(await flow.resume(ctx, {}, 'impersonate', { principal: 'dave' })).toEqual({
      end: 'ImpersonationViolation',
    });
    expect(ctx.prc).toEqual({
      ...before,
      audit: { ut: ['dave'], utc: ['dave'], det: ['level=impersonate'] },
    });
  });

  it('ends with UnknownImpersonationTarget, changing nothing but the audit of what was asked, for an allowed name with no account', async () => {
    const ctx = await contextFor('erin');
    const before = structuredClone(ctx.prc);
    expect(await flow.resume(ctx, {}, 'impersonate', { principal: 'ghost' })).toEqual({
      end: 'UnknownImpersonationTarget',
    });
    expect(ctx.prc).toEqual({
      ...before,
      audit: { ut: ['ghost'], utc: ['ghost'], det: ['level=impersonate'] },
    });
  });

  it('asks the policies about the real user, with the real user’s unfiltered attributes', async () => {
    const ctx = await contextFor('alice');
    // The filter releases no impersonation attributes, yet the policy decides on them.
    expect(ctx.prc.attributes.filtered.impersonatableUsernames).toBeUndefined();
    expect(await flow.resume(ctx, {}, 'impersonate', { principal: 'carol' })).toEqual({
      end: 'proceed',
    });
  });
});

describe('Preview (identify)', () => {
  it('shows what the relying party would receive, keeps the real subject, and parks the way back', async () => {
    const ctx = await contextFor('alice');
    const outcome = await flow.resume(ctx, null, 'impersonate', {
      principal: 'bob',
      level: 'identify',
    });
    expect(outcome).toMatchObject({
      view: 'intercept/impersonate-preview',
      model: { target: 'bob', preview: { subject: { value: 'bob' } } },
      state: { back: { typed: 'bob' } },
    });
    expect(ctx.prc.subject.principalName).toBe('alice');
    expect(ctx.prc.subject.impersonation).toBeUndefined();
    expect(audited.at(-1)).toMatchObject({ act: 'preview' });
    expect(ctx.prc.audit).toMatchObject({ utc: ['bob'], det: ['level=identify'] });
  });

  it('forgets the previewed choice when the tester goes back, or on as themself', async () => {
    for (const event of ['back', 'proceed']) {
      const ctx = await contextFor('alice');
      const preview = await flow.resume(ctx, null, 'impersonate', {
        principal: 'bob',
        level: 'identify',
      });
      const state = 'state' in preview ? preview.state! : null;
      const next = await flow.resume(ctx, state, event, {});
      expect(ctx.prc.audit, event).toEqual({});
      if (event === 'back')
        expect(next).toMatchObject({ view: 'intercept/impersonate', model: { typed: 'bob' } });
      else expect(next).toEqual({ end: 'proceed' });
      expect(ctx.prc.subject.principalName).toBe('alice');
    }
  });
  it('goes back to the form with identify still selected: Back never turns a preview into a release', async () => {
    const ctx = await contextFor('alice');
    const preview = await flow.resume(ctx, null, 'impersonate', {
      principal: 'bob',
      level: 'identify',
    });
    const state = 'state' in preview ? preview.state! : null;
    expect(await flow.resume(ctx, state, 'back', {})).toMatchObject({
      view: 'intercept/impersonate',
      model: { typed: 'bob', level: 'identify' },
    });
  });
});

describe('modes', () => {
  it('notAllowed: the flow is inactive at that relying party', async () => {
    expect(flow.isActive(await contextFor('alice', { mode: 'notAllowed' }))).toBe(false);
    expect(flow.isActive(await contextFor('alice', {}))).toBe(true);
  });

  it('required: no way on as the real user — denied, "continue", or the own name', async () => {
    const required = { mode: 'required' as const };
    expect(await flow.start(await contextFor('dave', required))).toEqual({
      end: 'ImpersonationRequired',
    });
    const ctx = await contextFor('alice', required);
    expect(await flow.start(ctx)).toMatchObject({ model: { required: true } });
    expect(await flow.resume(ctx, null, 'proceed', {})).toEqual({ end: 'ImpersonationRequired' });
    expect(await flow.resume(ctx, null, 'impersonate', { principal: 'alice' })).toMatchObject({
      view: 'intercept/impersonate',
      model: { error: 'impersonate.invalid-name.own-name' },
    });
    expect(ctx.prc.subject.principalName).toBe('alice');
  });
});
