/**
 * The SAML session participants kept for single logout (src/session/session-participants.ts):
 * noted only in a signed-in session, the newest 50 kept, and found by the NameID a LogoutRequest
 * names — the value, and whichever of Format and the qualifiers the request gives.
 */
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import {
  noteSamlParticipant,
  participantNamed,
  samlParticipants,
  type SamlParticipant,
} from '../../src/session/session-participants.js';

const SP = 'https://sp.example.org/shibboleth';
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

function signedIn(): Request {
  const session = { idp: { principalName: 'alice', authnInstant: 0, authnMethod: 'password' } };
  return { session } as unknown as Request;
}

function participant(value: string, over: Partial<SamlParticipant> = {}): SamlParticipant {
  return {
    entityID: SP,
    nameId: { value, format: TRANSIENT, nameQualifier: 'https://idp', spNameQualifier: SP },
    sessionIndex: `_si-${value}`,
    principal: 'bob',
    impersonated: true,
    at: 0,
    ...over,
  };
}

describe('session participants', () => {
  it('are noted only when someone is signed in', () => {
    const anonymous = { session: {} } as unknown as Request;
    noteSamlParticipant(anonymous, participant('_a'));
    expect(samlParticipants(anonymous)).toEqual([]);
    const req = signedIn();
    noteSamlParticipant(req, participant('_a'));
    expect(samlParticipants(req).map((p) => p.nameId.value)).toEqual(['_a']);
  });

  it('keep the newest 50', () => {
    const req = signedIn();
    for (let i = 0; i < 60; i++) noteSamlParticipant(req, participant(`_${i}`));
    const kept = samlParticipants(req).map((p) => p.nameId.value);
    expect(kept).toHaveLength(50);
    expect(kept[0]).toBe('_10');
    expect(kept.at(-1)).toBe('_59');
  });

  it('are found by the NameID issued to that SP, the qualifiers given having to match', () => {
    const req = signedIn();
    noteSamlParticipant(req, participant('_bob'));
    expect(participantNamed(req, SP, { value: '_bob' })?.sessionIndex).toBe('_si-_bob');
    expect(participantNamed(req, SP, { value: '_bob', format: TRANSIENT })).toBeDefined();
    expect(participantNamed(req, SP, { value: '_bob', spNameQualifier: SP })).toBeDefined();
    expect(participantNamed(req, SP, { value: '_other' })).toBeUndefined();
    expect(participantNamed(req, 'https://other.example.org', { value: '_bob' })).toBeUndefined();
    expect(
      participantNamed(req, SP, {
        value: '_bob',
        format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      }),
    ).toBeUndefined();
    expect(
      participantNamed(req, SP, { value: '_bob', nameQualifier: 'https://evil' }),
    ).toBeUndefined();
  });
});
