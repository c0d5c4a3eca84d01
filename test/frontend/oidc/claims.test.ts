import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../../src/attribute/attribute-resolver.js';
import { claimsByScope, claimsOf } from '../../../src/frontend/oidc/claims.js';

const def = (
  id: string,
  claim: string,
  scope: string,
  multiValued = false,
): AttributeDefinition => ({
  id,
  type: 'simple',
  connector: 'directory',
  sourceAttribute: id,
  excludeLabels: [],
  oidc: { claim, scope, multiValued },
});
const definitions: AttributeDefinition[] = [
  def('uid', 'preferred_username', 'profile'),
  def('mail', 'email', 'email'),
  def('affiliation', 'eduperson_affiliation', 'profile', true),
  {
    id: 'secret',
    type: 'simple',
    connector: 'directory',
    sourceAttribute: 'secret',
    excludeLabels: [],
  },
];

describe('attribute → claim mapping', () => {
  it('groups claims by the scope that asks for them', () => {
    expect(claimsByScope(definitions)).toEqual({
      openid: ['sub'],
      profile: ['preferred_username', 'eduperson_affiliation'],
      email: ['email'],
    });
  });

  it('turns released attributes into claims: first value, or all for multi-valued ones', () => {
    const released = {
      uid: ['bob'],
      mail: ['bob@example.org', 'b@example.org'],
      affiliation: ['member', 'student'],
      secret: ['x'],
    };
    expect(claimsOf(released, definitions)).toEqual({
      preferred_username: 'bob',
      email: 'bob@example.org',
      eduperson_affiliation: ['member', 'student'],
    });
  });

  it('releases only what the filter released, limited to the granted scopes', () => {
    expect(
      claimsOf(
        { uid: ['bob'], mail: ['bob@example.org'] },
        definitions,
        new Set(['openid', 'email']),
      ),
    ).toEqual({ email: 'bob@example.org' });
    expect(claimsOf({ uid: ['bob'] }, definitions, new Set(['openid', 'email']))).toEqual({});
  });
});
