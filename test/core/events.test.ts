/**
 * The one list of events (src/core/events.ts) against the shipped configuration — every event has
 * its page text, conf/errors.yaml is what the table says ships — and against the tables it
 * replaced: the values below are those tables as they were, written out literally.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLocalEvents } from '../../src/config/errors-conf.js';
import { loadMessages } from '../../src/config/messages-conf.js';
import { EVENTS, IDP_EVENTS, isIdpEvent, type IdpEvent } from '../../src/core/events.js';
import { DEFAULT_CONF_DIR, VIEWS_DIR } from '../../src/core/paths.js';
import { YamlConf } from '../../src/core/yaml-conf.js';
import { COMMON_INTERCEPT_EVENTS } from '../../src/intercept/intercept-flow.js';
import { Messages } from '../../src/web/messages.js';

const messages = loadMessages(DEFAULT_CONF_DIR, 'messages.properties');
const shippedLocalEvents = loadLocalEvents(
  YamlConf.read(path.join(DEFAULT_CONF_DIR, 'errors.yaml'), () => undefined).root,
);

const samlUri = (name: string) => `urn:oasis:names:tc:SAML:2.0:status:${name}`;

describe('the events and the shipped configuration', () => {
  it.each(IDP_EVENTS)('messages.properties has the title and message of %s', (event) => {
    const key = EVENTS[event].messageKey;
    expect(messages.get(`${key}.title`)).toBeTruthy();
    expect(messages.get(`${key}.message`)).toBeTruthy();
  });

  it('messages.properties has every text the error page asks for', () => {
    const templates = ['error.ejs', 'partials/header.ejs', 'partials/footer.ejs'].map((f) =>
      readFileSync(path.join(VIEWS_DIR, f), 'utf8'),
    );
    const keys = templates.flatMap((text) =>
      [...text.matchAll(/\bt\('([^']+)'/g)].map((m) => m[1]!),
    );
    expect(keys).toContain('idp.error.event');
    for (const key of keys) expect(messages.get(key), key).toBeTruthy();
  });

  it('errors.yaml as shipped is what the table says is local and audited', () => {
    const fromTable = new Map(
      IDP_EVENTS.filter((e) => EVENTS[e].local !== false).map((e) => [
        e,
        EVENTS[e].local === 'audited',
      ]),
    );
    expect(new Map([...shippedLocalEvents].sort())).toEqual(new Map([...fromTable].sort()));
  });

  it('knows an event by its exact name only', () => {
    expect(isIdpEvent('ImpersonationViolation')).toBe(true);
    expect(isIdpEvent('impersonationViolation')).toBe(false);
    expect(isIdpEvent('toString')).toBe(false);
  });
});

describe('the events table says what the tables it replaced said', () => {
  it('local error page statuses (outcomes.ts STATUS_BY_EVENT, 400 for any other event a step or flow ends with)', () => {
    const old: Partial<Record<IdpEvent, number>> = {
      ImpersonationViolation: 403,
      UnknownImpersonationTarget: 404,
      ContextCheckDenied: 403,
      AccountDisabled: 403,
      InvalidCSRFToken: 403,
      InvalidProfileConfiguration: 500,
      RuntimeException: 500,
    };
    const endedBySteps: IdpEvent[] = [
      'NoPassive',
      'InvalidEvent',
      'InvalidProfileContext',
      'UnknownRelyingParty',
    ];
    for (const event of [
      ...endedBySteps,
      ...COMMON_INTERCEPT_EVENTS,
      ...(Object.keys(old) as IdpEvent[]),
    ]) {
      expect(EVENTS[event].status, event).toBe(old[event] ?? 400);
    }
  });

  it('the events of the two IdpError codes dropped as never thrown keep their statuses (the other codes: test/core/errors.test.ts)', () => {
    // The two codes that were dropped (never thrown) had the statuses their events still have.
    expect(EVENTS.InvalidCSRFToken.status).toBe(403);
    expect(EVENTS.InvalidProfileConfiguration.status).toBe(500);
  });

  it('SAML status and sub-status as the old ERROR_STATUS table of saml-front-end.ts gave them (Responder for any other event)', () => {
    const old: Partial<Record<IdpEvent, [string, string]>> = {
      NoPassive: [
        'urn:oasis:names:tc:SAML:2.0:status:Responder',
        'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
      ],
      InvalidNameIDPolicy: [
        'urn:oasis:names:tc:SAML:2.0:status:Requester',
        'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
      ],
      ImpersonationViolation: [
        'urn:oasis:names:tc:SAML:2.0:status:Responder',
        'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
      ],
      // Added with issue 10 (protected accounts): answered as ImpersonationViolation is.
      ProtectedImpersonationTarget: [
        'urn:oasis:names:tc:SAML:2.0:status:Responder',
        'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
      ],
      // Added with issue 10 (mode required): likewise.
      ImpersonationRequired: [
        'urn:oasis:names:tc:SAML:2.0:status:Responder',
        'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
      ],
      AccessDenied: [
        'urn:oasis:names:tc:SAML:2.0:status:Responder',
        'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
      ],
      AccountDisabled: [
        'urn:oasis:names:tc:SAML:2.0:status:Responder',
        'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
      ],
    };
    for (const event of IDP_EVENTS) {
      const [status, subStatus] = EVENTS[event].saml;
      const now = [samlUri(status), subStatus === undefined ? undefined : samlUri(subStatus)];
      expect(now, event).toEqual(
        old[event] ?? ['urn:oasis:names:tc:SAML:2.0:status:Responder', undefined],
      );
    }
  });

  it('OpenID Connect errors as the old OIDC_ERRORS table of oidc-front-end.ts gave them (access_denied for any other event)', () => {
    const old: Partial<Record<IdpEvent, string>> = {
      NoPassive: 'login_required',
      InvalidProfileConfiguration: 'server_error',
      RuntimeException: 'server_error',
    };
    for (const event of IDP_EVENTS)
      expect(EVENTS[event].oidc, event).toBe(old[event] ?? 'access_denied');
  });

  it('events LogEvent does not report (outcomes.ts SUPPRESSED_EVENTS)', () => {
    expect(IDP_EVENTS.filter((e) => EVENTS[e].suppressed).sort()).toEqual([
      'AttributeReleaseRejected',
      'ContextCheckDenied',
      'NoPotentialFlow',
      'TermsRejected',
    ]);
  });

  it('events every intercept flow may end with (intercept-flow.ts COMMON_INTERCEPT_EVENTS)', () => {
    const old = [
      'InvalidEvent',
      'InvalidProfileContext',
      'MessageExpired',
      'MessageReplay',
      'MessageAuthenticationError',
      'AttributeReleaseRejected',
      'TermsRejected',
      'ContextCheckDenied',
      'ImpersonationViolation',
      'RestartAuthentication',
      'RuntimeException',
      'NoPassive',
      'InvalidCSRFToken',
      'UpdateSecurityParameters',
    ];
    expect([...COMMON_INTERCEPT_EVENTS].sort()).toEqual(old.sort());
  });

  it('local events and their audit flag (conf/errors.yaml as shipped)', () => {
    expect(Object.fromEntries(shippedLocalEvents)).toEqual({
      ContextCheckDenied: true,
      ImpersonationViolation: true,
      UnknownImpersonationTarget: true,
      ProtectedImpersonationTarget: true, // added with issue 10
      ImpersonationRequired: true, // added with issue 10
      AttributeReleaseRejected: true,
      TermsRejected: true,
      EndpointResolutionFailed: true,
      AccountDisabled: true,
      RuntimeException: false,
      InvalidEvent: false,
      InvalidCSRFToken: false,
      InvalidProfileConfiguration: false,
      InvalidProfileContext: false,
    });
  });

  it('message keys (messages.properties "Event = key" lines, runtime-error for any other event)', () => {
    const old: Partial<Record<IdpEvent, string>> = {
      ImpersonationViolation: 'impersonation-violation',
      UnknownImpersonationTarget: 'impersonation-unknown-target',
      ProtectedImpersonationTarget: 'impersonation-protected-target', // added with issue 10
      ImpersonationRequired: 'impersonation-required', // added with issue 10
      InvalidCSRFToken: 'invalid-csrf-token',
      StaleRequest: 'stale-request',
      UnknownRelyingParty: 'unknown-relying-party',
      UnableToDecode: 'unable-to-decode',
      MethodNotAllowed: 'method-not-allowed',
      RequestTooLarge: 'request-too-large',
      UnsupportedMediaType: 'unsupported-media-type',
      MessageAuthenticationError: 'message-authentication',
      RequestCapacityExceeded: 'request-capacity-exceeded',
      InvalidProfileConfiguration: 'invalid-profile-configuration',
      InvalidProfileContext: 'stale-request',
      InvalidEvent: 'invalid-event',
      AuditLogFailure: 'audit-failure',
      SessionStoreFailure: 'session-store-failure',
      DirectoryFailure: 'directory-failure',
      StorageBusy: 'storage-busy',
      SharedStoreFailure: 'shared-store-failure', // added with issue 12
      AccountDisabled: 'account-disabled',
      NoPassive: 'no-passive',
      NotFound: 'not-found',
      AccessDenied: 'access-denied',
      RuntimeException: 'runtime-error',
      InvalidConfiguration: 'runtime-error',
    };
    const text = new Messages(messages);
    for (const event of IDP_EVENTS) {
      const key = old[event] ?? 'runtime-error';
      expect(EVENTS[event].messageKey, event).toBe(key);
      expect(text.forEvent(event), event).toEqual({
        title: messages.get(`${key}.title`),
        message: messages.get(`${key}.message`),
      });
    }
  });
});
