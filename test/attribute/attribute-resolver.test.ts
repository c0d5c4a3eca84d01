/**
 * The attribute resolver: each definition type over its data connector, resolution labels that
 * leave definitions (and connectors only they need) out, and whether any source knows the
 * principal. Then the shipped conf/attribute-resolver.yaml over the real directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AttributeResolver,
  type AttributeDefinition,
} from '../../src/attribute/attribute-resolver.js';
import type { DataConnector } from '../../src/attribute/data-connector.js';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import type { SourceAttributes } from '../../src/directory/user-directory.js';
import { coreServices, type CoreServices } from '../support/core-services.js';

/** A connector over fixed data that counts its lookups. */
function connector(
  id: string,
  data: Record<string, SourceAttributes>,
): DataConnector & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    id,
    lookups,
    lookup(principal) {
      lookups.push(principal);
      return Promise.resolve(data[principal]);
    },
  };
}

function def(id: string, extra: Partial<AttributeDefinition> = {}): AttributeDefinition {
  return { id, type: 'simple', connector: 'dir', sourceAttribute: id, excludeLabels: [], ...extra };
}

describe('AttributeResolver', () => {
  const data = {
    alice: {
      uid: ['alice'],
      mail: ['alice@example.org'],
      affiliation: ['member', 'staff'],
      empty: [],
    },
  };

  it('copies simple values, appends the scope to scoped ones and gives the principal itself', async () => {
    const dir = connector('dir', data);
    const resolver = new AttributeResolver(
      [
        def('mail'),
        def('eduPersonAffiliation', { sourceAttribute: 'affiliation' }),
        def('eppn', { type: 'scoped', sourceAttribute: 'uid', scope: 'example.org' }),
        def('scopedAffiliation', {
          type: 'scoped',
          sourceAttribute: 'affiliation',
          scope: 'example.org',
        }),
        def('principal', { type: 'principalName', sourceAttribute: 'nothing-here' }),
      ],
      [dir],
    );
    const { attributes, principalFound } = await resolver.resolve({
      principal: 'alice',
      label: 'SAML2/SSO',
    });
    expect(principalFound).toBe(true);
    expect(attributes).toEqual({
      mail: ['alice@example.org'],
      eduPersonAffiliation: ['member', 'staff'],
      eppn: ['alice@example.org'],
      scopedAffiliation: ['member@example.org', 'staff@example.org'],
      principal: ['alice'],
    });
    // In definition order.
    expect(Object.keys(attributes)).toEqual([
      'mail',
      'eduPersonAffiliation',
      'eppn',
      'scopedAffiliation',
      'principal',
    ]);
  });

  it('leaves out attributes without values', async () => {
    const resolver = new AttributeResolver(
      [def('empty'), def('missing'), def('mail')],
      [connector('dir', data)],
    );
    expect((await resolver.resolve({ principal: 'alice', label: 'x' })).attributes).toEqual({
      mail: ['alice@example.org'],
    });
  });

  it('gives nothing, not even the principal name, for a principal no connector knows', async () => {
    const resolver = new AttributeResolver(
      [def('principal', { type: 'principalName' }), def('mail')],
      [connector('dir', data)],
    );
    expect(await resolver.resolve({ principal: 'mallory', label: 'x' })).toEqual({
      attributes: {},
      principalFound: false,
    });
  });

  it('leaves out a definition excluded for the label, and does not ask a connector only it needs', async () => {
    const dir = connector('dir', data);
    const rights = connector('rights', { alice: { canImpersonate: ['bob'] } });
    const resolver = new AttributeResolver(
      [
        def('mail'),
        def('impersonatableUsernames', {
          connector: 'rights',
          sourceAttribute: 'canImpersonate',
          excludeLabels: ['intercept/impersonate'],
        }),
      ],
      [dir, rights],
    );
    expect((await resolver.resolve({ principal: 'alice', label: 'SAML2/SSO' })).attributes).toEqual(
      {
        mail: ['alice@example.org'],
        impersonatableUsernames: ['bob'],
      },
    );
    expect(rights.lookups).toEqual(['alice']);
    expect(
      (await resolver.resolve({ principal: 'alice', label: 'intercept/impersonate' })).attributes,
    ).toEqual({ mail: ['alice@example.org'] });
    expect(rights.lookups).toEqual(['alice']);
    expect(dir.lookups).toEqual(['alice', 'alice']);
  });

  it('asks each connector once per resolution, however many definitions read it', async () => {
    const dir = connector('dir', data);
    const resolver = new AttributeResolver(
      [def('mail'), def('uid'), def('eduPersonAffiliation', { sourceAttribute: 'affiliation' })],
      [dir],
    );
    await resolver.resolve({ principal: 'alice', label: 'x' });
    expect(dir.lookups).toEqual(['alice']);
  });

  it('takes attributes from the connectors that know the principal; one that does not is no failure', async () => {
    const dir = connector('dir', data);
    const hr = connector('hr', { bob: { department: ['sales'] } });
    const resolver = new AttributeResolver(
      [def('mail'), def('department', { connector: 'hr' })],
      [dir, hr],
    );
    expect(await resolver.resolve({ principal: 'alice', label: 'x' })).toEqual({
      attributes: { mail: ['alice@example.org'] },
      principalFound: true,
    });
    expect(await resolver.resolve({ principal: 'bob', label: 'x' })).toEqual({
      attributes: { department: ['sales'] },
      principalFound: true,
    });
  });

  it('hands out copies: changing a result does not change the source', async () => {
    const source = { alice: { mail: ['alice@example.org'] } };
    const resolver = new AttributeResolver([def('mail')], [connector('dir', source)]);
    const first = (await resolver.resolve({ principal: 'alice', label: 'x' })).attributes
      .mail as string[];
    first.push('forged@example.org');
    expect(source.alice.mail).toEqual(['alice@example.org']);
  });

  it('finds a definition by id', () => {
    const resolver = new AttributeResolver([def('mail'), def('uid')], []);
    expect(resolver.definition('uid')?.id).toBe('uid');
    expect(resolver.definition('nope')).toBeUndefined();
  });
});

describe('the shipped attribute resolver over the directory (DirectoryDataConnector)', () => {
  let core: CoreServices;
  beforeAll(async () => {
    core = await coreServices();
  });

  it('resolves alice at sign-in with her impersonation rights', async () => {
    const { attributes, principalFound } = await core.resolver.resolve({
      principal: 'alice',
      label: 'SAML2/SSO',
    });
    expect(principalFound).toBe(true);
    expect(attributes).toMatchObject({
      uid: ['alice'],
      mail: ['alice@example.org'],
      displayName: ['Alice Tester'],
      eduPersonPrincipalName: ['alice@example.org'],
      eduPersonAffiliation: ['member', 'staff'],
      eduPersonEntitlement: ['urn:mace:example.org:entitlement:idp-impersonate'],
      impersonatableUsernames: ['bob', 'carol'],
    });
    expect(attributes.impersonatableServices).toHaveLength(2);
  });

  it('never resolves impersonation rights for an impersonated account', async () => {
    const { attributes } = await core.resolver.resolve({
      principal: 'alice',
      label: 'intercept/impersonate',
    });
    expect(attributes.uid).toEqual(['alice']);
    expect(attributes).not.toHaveProperty('impersonatableUsernames');
    expect(attributes).not.toHaveProperty('impersonatableServices');
  });

  it('scopes eduPersonPrincipalName with idp.scope', async () => {
    const config = loadConfiguration({
      home: mkdtempSync(path.join(tmpdir(), 'resolver-')),
      confDir: DEFAULT_CONF_DIR,
      env: {},
      overrides: { 'idp.scope': 'campus.example.net' },
    });
    const directory = connector('directory', { bob: (await core.directory.lookup('bob'))! });
    const resolver = new AttributeResolver(config.attributeDefinitions, [directory]);
    expect(
      (await resolver.resolve({ principal: 'bob', label: 'SAML2/SSO' })).attributes
        .eduPersonPrincipalName,
    ).toEqual(['bob@campus.example.net']);
  });

  it('does not find an account the directory does not have', async () => {
    expect(await core.resolver.resolve({ principal: 'nobody', label: 'SAML2/SSO' })).toEqual({
      attributes: {},
      principalFound: false,
    });
  });
});
