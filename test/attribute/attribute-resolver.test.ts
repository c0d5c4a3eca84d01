/**
 * The attribute resolver: each definition type over its data connector, resolution labels that
 * leave definitions (and connectors only they need) out, and whether any source knows the
 * principal; the delegationActor type, whose value only the request gives. Then the shipped
 * conf/attribute-resolver.yaml over the real directory.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('delegationActor attributes', () => {
  const actorDef = (extra: Partial<AttributeDefinition> = {}) =>
    def('actor', { type: 'delegationActor', connector: '', ...extra });

  it('take the actor from the request only: never from a connector, nothing without an actor', async () => {
    // A directory entry with an "actor" attribute (and one named after the definition's source).
    const dir = connector('dir', { bob: { mail: ['bob@example.org'], actor: ['mallory'] } });
    const resolver = new AttributeResolver([def('mail'), actorDef()], [dir]);
    expect((await resolver.resolve({ principal: 'bob', label: 'x' })).attributes).toEqual({
      mail: ['bob@example.org'],
    });
    expect(
      (await resolver.resolve({ principal: 'bob', label: 'x', actor: 'alice' })).attributes,
    ).toEqual({ mail: ['bob@example.org'], actor: ['alice'] });
    expect(resolver.actorAttributes('x', 'alice')).toEqual({ actor: ['alice'] });
    expect(resolver.actorAttributes('x', undefined)).toEqual({});
    expect(resolver.actorAttributes('x', '')).toEqual({});
  });

  it('need no connector lookup, and follow excludeLabels like any definition', async () => {
    const dir = connector('dir', { alice: { mail: ['alice@example.org'] } });
    const resolver = new AttributeResolver([actorDef({ excludeLabels: ['hidden'] })], [dir]);
    expect(resolver.actorAttributes('hidden', 'alice')).toEqual({});
    expect(resolver.actorAttributes('intercept/impersonate', 'alice')).toEqual({
      actor: ['alice'],
    });
    await resolver.resolve({ principal: 'alice', label: 'x', actor: 'carol' });
    expect(dir.lookups).toEqual([]);
  });

  it('refuse a data connector, source attribute or scope in attribute-resolver.yaml', () => {
    for (const extra of ['dataConnector: directory', 'sourceAttribute: actor', 'scope: x']) {
      const confDir = path.join(mkdtempSync(path.join(tmpdir(), 'resolver-conf-')), 'conf');
      cpSync(DEFAULT_CONF_DIR, confDir, { recursive: true });
      const file = path.join(confDir, 'attribute-resolver.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '    type: delegationActor\n',
          `    type: delegationActor\n    ${extra}\n`,
        ),
      );
      const key = extra.split(':')[0]!;
      expect(() =>
        loadConfiguration({ home: path.dirname(confDir), confDir, env: {}, overrides: {} }),
      ).toThrow(new RegExp(`attribute-resolver\\.yaml.*${key}.*from the request`, 's'));
    }
  });
});

describe('the SAML name of a delegationActor attribute', () => {
  it('is refused on any other definition: no directory value may pass for the actor', () => {
    const confDir = path.join(mkdtempSync(path.join(tmpdir(), 'resolver-conf-')), 'conf');
    cpSync(DEFAULT_CONF_DIR, confDir, { recursive: true });
    const file = path.join(confDir, 'attribute-resolver.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '  - id: actor\n',
        [
          '  - id: actorFromDirectory',
          '    sourceAttribute: actor',
          '    saml2: { name: "urn:x-idp-impersonate:actor" }',
          '  - id: actor',
          '',
        ].join('\n'),
      ),
    );
    expect(() =>
      loadConfiguration({ home: path.dirname(confDir), confDir, env: {}, overrides: {} }),
    ).toThrow(/attribute-resolver\.yaml.*saml2\.name.*urn:x-idp-impersonate:actor/s);
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
      eduPersonEntitlement: [
        'urn:mace:example.org:entitlement:idp-impersonate',
        'urn:mace:example.org:entitlement:library',
      ],
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

  it('defines actor (delegationActor) with a SAML encoding and no OIDC claim', () => {
    expect(core.resolver.definition('actor')).toMatchObject({
      type: 'delegationActor',
      saml2: { name: 'urn:x-idp-impersonate:actor', friendlyName: 'actor' },
    });
    expect(core.resolver.definition('actor')?.oidc).toBeUndefined();
  });

  it('does not find an account the directory does not have', async () => {
    expect(await core.resolver.resolve({ principal: 'nobody', label: 'SAML2/SSO' })).toEqual({
      attributes: {},
      principalFound: false,
    });
  });
});
