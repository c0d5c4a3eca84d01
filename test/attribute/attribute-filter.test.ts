/**
 * The attribute filter: nothing is released unless a policy applying to the relying party permits
 * it, and a deny in any applicable policy wins. Then the shipped conf/attribute-filter.yaml.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AttributeFilter,
  type AttributeFilterPolicy,
} from '../../src/attribute/attribute-filter.js';
import { loadConfiguration, type IdpConfiguration } from '../../src/config/load-configuration.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';

const attributes = { uid: ['alice'], mail: ['alice@example.org'], secret: ['s3cret'] };
const SP = 'https://sp.example.org/shibboleth';
const OTHER = 'https://other.example.org/shibboleth';

function policy(
  id: string,
  requesters: string[],
  permit: string[],
  deny: string[] = [],
): AttributeFilterPolicy {
  return { id, requesters, permit, deny };
}

describe('AttributeFilter', () => {
  it('releases nothing without policies', () => {
    expect(new AttributeFilter([]).filter(attributes, SP)).toEqual({});
  });

  it('releases what a policy for the requester permits, to that requester only', () => {
    const filter = new AttributeFilter([policy('p', [SP], ['uid', 'mail'])]);
    expect(filter.filter(attributes, SP)).toEqual({ uid: ['alice'], mail: ['alice@example.org'] });
    expect(filter.filter(attributes, OTHER)).toEqual({});
  });

  it('matches requesters exactly (no prefix or case folding)', () => {
    const filter = new AttributeFilter([policy('p', [SP], ['uid'])]);
    expect(filter.filter(attributes, SP.toUpperCase())).toEqual({});
    expect(filter.filter(attributes, `${SP}/x`)).toEqual({});
  });

  it('applies a "*" requester to everyone and a "*" permit to every attribute', () => {
    const filter = new AttributeFilter([policy('all', ['*'], ['*'])]);
    expect(filter.filter(attributes, OTHER)).toEqual(attributes);
  });

  it('lets a deny of any applicable policy win over every permit', () => {
    const filter = new AttributeFilter([
      policy('release', [SP], ['*']),
      policy('protect', ['*'], [], ['secret']),
    ]);
    expect(filter.filter(attributes, SP)).toEqual({ uid: ['alice'], mail: ['alice@example.org'] });
  });

  it('ignores a deny in a policy that does not apply to the requester', () => {
    const filter = new AttributeFilter([
      policy('release', ['*'], ['uid']),
      policy('other', [OTHER], [], ['uid']),
    ]);
    expect(filter.filter(attributes, SP)).toEqual({ uid: ['alice'] });
    expect(filter.filter(attributes, OTHER)).toEqual({});
  });

  it('releases nothing under a "*" deny', () => {
    const filter = new AttributeFilter([
      policy('release', [SP], ['*']),
      policy('lockdown', [SP], [], ['*']),
    ]);
    expect(filter.filter(attributes, SP)).toEqual({});
  });

  it('joins the permits of several applicable policies', () => {
    const filter = new AttributeFilter([policy('a', [SP], ['uid']), policy('b', ['*'], ['mail'])]);
    expect(filter.filter(attributes, SP)).toEqual({ uid: ['alice'], mail: ['alice@example.org'] });
  });

  it('leaves the input as it was', () => {
    const input = { uid: ['alice'], secret: ['s3cret'] };
    new AttributeFilter([policy('a', ['*'], ['uid'])]).filter(input, SP);
    expect(input).toEqual({ uid: ['alice'], secret: ['s3cret'] });
  });
});

describe('the shipped attribute filter', () => {
  let shipped: AttributeFilter;
  let demo: IdpConfiguration['properties']['demo'];
  beforeAll(() => {
    const config = loadConfiguration({
      home: mkdtempSync(path.join(tmpdir(), 'filter-')),
      confDir: DEFAULT_CONF_DIR,
      env: {},
      overrides: {},
    });
    shipped = new AttributeFilter(config.attributeFilterPolicies);
    demo = config.properties.demo;
  });

  /** What the shipped resolver gives alice at sign-in (test/attribute/attribute-resolver.test.ts). */
  const alice = {
    uid: ['alice'],
    mail: ['alice@example.org'],
    displayName: ['Alice Tester'],
    eduPersonPrincipalName: ['alice@example.org'],
    eduPersonAffiliation: ['member', 'staff'],
    eduPersonEntitlement: ['urn:mace:example.org:entitlement:idp-impersonate'],
    impersonatableUsernames: ['bob', 'carol'],
    impersonatableServices: ['https://sp.example.org/shibboleth'],
  };

  it('releases the demo attributes to the demo SP and the demo OIDC client, never the impersonation rights', () => {
    for (const rp of [demo.sp.entityID, demo.oidc.clientId]) {
      const released = shipped.filter(alice, rp);
      expect(Object.keys(released).sort()).toEqual([
        'displayName',
        'eduPersonAffiliation',
        'eduPersonEntitlement',
        'eduPersonPrincipalName',
        'mail',
        'uid',
      ]);
      expect(released.mail).toEqual(['alice@example.org']);
    }
  });

  it('releases nothing to a relying party no policy names', () => {
    expect(shipped.filter(alice, 'https://unknown.example.org/sp')).toEqual({});
  });
});
