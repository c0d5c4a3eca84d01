/**
 * relying-party.yaml `impersonation:` as the IdP loads it: the defaults (mode allowed, cap
 * impersonate), each bad value failing start-up with file:line and the key, and the cap an SP
 * declares for itself in its SAML metadata (an entity attribute) lowering the administrator's.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { effectiveMaxLevel, impersonationMode } from '../../src/relying-party/rp-impersonation.js';
import { MAX_IMPERSONATION_LEVEL_ATTRIBUTE } from '../../src/relying-party/sp-metadata.js';
import { confWithRps, lineOf, loadFailure, loadRp, loadRps } from '../support/rp-conf.js';

const STAGING = 'https://staging.example.org/shibboleth';

/** An SP entry (samlServiceProviders[1]) with the given extra lines (indented by 4). */
const sp = (...lines: string[]) =>
  [
    `  - entityID: ${STAGING}`,
    '    assertionConsumerServiceURL: https://staging.example.org/saml/acs',
    ...lines.map((l) => `    ${l}`),
  ].join('\n');

/** An OIDC client entry (oidcClients[1]). */
const client = (...lines: string[]) =>
  [
    '  - clientId: staging-rp',
    '    clientSecret: a-staging-secret-of-some-length',
    '    redirectUris: ["https://staging.example.org/callback"]',
    ...lines.map((l) => `    ${l}`),
  ].join('\n');

/** SAML metadata for STAGING whose Extensions hold `attributes` (mdattr:EntityAttributes content). */
const metadata = (attributes: string) => `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" entityID="${STAGING}">
  <md:Extensions>
    <mdattr:EntityAttributes>${attributes}</mdattr:EntityAttributes>
  </md:Extensions>
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://staging.example.org/saml/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

const attribute = (name: string, ...values: string[]) =>
  `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values
    .map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`)
    .join('')}</saml:Attribute>`;

const levelAttribute = (...values: string[]) =>
  attribute(MAX_IMPERSONATION_LEVEL_ATTRIBUTE, ...values);

/** A conf folder whose staging SP reads `xml` as its metadataFile, with more SP lines. */
const withMetadata = (xml: string, ...lines: string[]) =>
  confWithRps({
    saml: sp('metadataFile: staging-metadata.xml', ...lines),
    files: { 'staging-metadata.xml': xml },
  });

describe('relying-party.yaml impersonation: defaults', () => {
  it('leaves the shipped demo SP and demo client at mode allowed, cap impersonate, not trusted for delegation', () => {
    const rps = loadRps(DEFAULT_CONF_DIR);
    expect(rps).toHaveLength(2);
    for (const rp of rps) {
      expect(impersonationMode(rp.impersonation)).toBe('allowed');
      expect(effectiveMaxLevel(rp.impersonation)).toBe('impersonate');
      expect(rp.impersonation.trustedForDelegation ?? false).toBe(false);
      expect(rp.impersonation.declaredMaxLevel).toBeUndefined();
    }
  });

  it('keeps the defaults for an empty block, and reads every setting of a full one', () => {
    const dir = confWithRps({
      saml: sp('impersonation: {}'),
      oidc: client(
        'postAuthenticationFlows: [impersonate]',
        'impersonation:',
        '  mode: required',
        '  maxLevel: delegate',
        '  trustedForDelegation: true',
      ),
    });
    const plain = loadRp(dir, STAGING).impersonation;
    expect(impersonationMode(plain)).toBe('allowed');
    expect(effectiveMaxLevel(plain)).toBe('impersonate');
    expect(plain.trustedForDelegation).toBe(false);
    const full = loadRp(dir, 'staging-rp').impersonation;
    expect(full).toMatchObject({
      mode: 'required',
      maxLevel: 'delegate',
      trustedForDelegation: true,
    });
    expect(effectiveMaxLevel(full)).toBe('delegate');
  });

  it.each(['notAllowed', 'allowed'] as const)(
    'takes mode %s without the impersonate flow',
    (mode) => {
      const dir = confWithRps({ saml: sp(`impersonation: { mode: ${mode} }`) });
      expect(loadRp(dir, STAGING).impersonation.mode).toBe(mode);
    },
  );

  it('takes mode required when the impersonate flow comes from the defaults', () => {
    const dir = confWithRps({
      edit: (t) =>
        t.replace('  postAuthenticationFlows: []', '  postAuthenticationFlows: [impersonate]'),
      saml: sp('impersonation: { mode: required }'),
    });
    const rp = loadRp(dir, STAGING);
    expect(rp.postAuthenticationFlows).toEqual(['impersonate']);
    expect(impersonationMode(rp.impersonation)).toBe('required');
  });

  it('takes maxLevel identify (a preview only) on an RP that is not trusted for delegation', () => {
    const dir = confWithRps({ oidc: client('impersonation: { maxLevel: identify }') });
    expect(effectiveMaxLevel(loadRp(dir, 'staging-rp').impersonation)).toBe('identify');
  });
});

describe('relying-party.yaml impersonation: bad values fail with file:line and key', () => {
  const cases: [string, string, string, string][] = [
    [
      'an unknown mode',
      sp('impersonation: { mode: sometimes }'),
      'samlServiceProviders[1].impersonation.mode',
      'must be one of notAllowed, allowed, required',
    ],
    [
      'an unknown maxLevel',
      sp('impersonation: { maxLevel: superuser }'),
      'samlServiceProviders[1].impersonation.maxLevel',
      'must be one of identify, impersonate, delegate',
    ],
    [
      'maxLevel delegate without trustedForDelegation',
      sp('impersonation: { maxLevel: delegate }'),
      'samlServiceProviders[1].impersonation.maxLevel',
      'delegate needs trustedForDelegation: true (the relying party receives the actor as well as the target)',
    ],
    [
      'maxLevel delegate with trustedForDelegation false',
      sp('impersonation: { maxLevel: delegate, trustedForDelegation: false }'),
      'samlServiceProviders[1].impersonation.maxLevel',
      'delegate needs trustedForDelegation: true',
    ],
    [
      'trustedForDelegation that is no boolean',
      sp('impersonation: { trustedForDelegation: "yes" }'),
      'samlServiceProviders[1].impersonation.trustedForDelegation',
      'must be true or false',
    ],
    [
      'a misspelt key',
      sp('impersonation: { maxlevel: identify }'),
      'samlServiceProviders[1].impersonation.maxlevel',
      'unknown key (expected one of reason, reasonPattern, mode, maxLevel, trustedForDelegation)',
    ],
    [
      'mode required without impersonate in postAuthenticationFlows',
      sp('postAuthenticationFlows: [consent]', 'impersonation: { mode: required }'),
      'samlServiceProviders[1].impersonation.mode',
      `required needs "impersonate" in this relying party's postAuthenticationFlows`,
    ],
    [
      'mode required with no postAuthenticationFlows at all',
      sp('impersonation: { mode: required }'),
      'samlServiceProviders[1].impersonation.mode',
      `required needs "impersonate" in this relying party's postAuthenticationFlows`,
    ],
    [
      'mode required capped at identify (nothing would ever be released)',
      sp(
        'postAuthenticationFlows: [impersonate]',
        'impersonation: { mode: required, maxLevel: identify }',
      ),
      'samlServiceProviders[1].impersonation.mode',
      'required with maxLevel: identify would never release an identity',
    ],
  ];

  it.each(cases)('%s (SAML SP)', (_what, entry, key, problem) => {
    const dir = confWithRps({ saml: entry });
    const line = lineOf(dir, 'impersonation:');
    // The shipped file has no impersonation block: the first one is the added SP's.
    expect(loadFailure(dir)).toContain(`conf/relying-party.yaml:${line}: ${key}: ${problem}`);
  });

  it('names the line of the key inside a block written out', () => {
    const dir = confWithRps({
      oidc: client('impersonation:', '  mode: required', '  maxLevel: delegate'),
    });
    expect(loadFailure(dir)).toBe(
      `conf/relying-party.yaml:${lineOf(dir, 'maxLevel: delegate')}: oidcClients[1].impersonation.maxLevel: delegate needs trustedForDelegation: true (the relying party receives the actor as well as the target)`,
    );
  });

  it('names the OIDC client for an unknown mode', () => {
    const dir = confWithRps({ oidc: client('impersonation:', '  mode: Required') });
    expect(loadFailure(dir)).toBe(
      `conf/relying-party.yaml:${lineOf(dir, 'mode: Required')}: oidcClients[1].impersonation.mode: must be one of notAllowed, allowed, required`,
    );
  });

  it('refuses an impersonation setting that is no map', () => {
    const dir = confWithRps({ saml: sp('impersonation: delegate') });
    expect(loadFailure(dir)).toBe(
      `conf/relying-party.yaml:${lineOf(dir, 'impersonation: delegate')}: samlServiceProviders[1].impersonation: must be a map`,
    );
  });
});

describe('the cap an SP declares in its SAML metadata', () => {
  it('reads the entity attribute, and the lower of it and the administrator cap applies', () => {
    const declared = (level: string, ...lines: string[]) =>
      loadRp(withMetadata(metadata(levelAttribute(level)), ...lines), STAGING).impersonation;
    expect(declared('identify')).toMatchObject({ declaredMaxLevel: 'identify' });
    expect(effectiveMaxLevel(declared('identify'))).toBe('identify');
    // Declaring delegate does not raise the administrator's default (impersonate)…
    expect(effectiveMaxLevel(declared('delegate'))).toBe('impersonate');
    // …nor does the administrator's delegate override an SP that admits only impersonate.
    const trusted = 'impersonation: { maxLevel: delegate, trustedForDelegation: true }';
    expect(effectiveMaxLevel(declared('impersonate', trusted))).toBe('impersonate');
    expect(effectiveMaxLevel(declared('delegate', trusted))).toBe('delegate');
    expect(effectiveMaxLevel(declared(' identify\n', trusted))).toBe('identify');
  });

  it('declares nothing when the metadata has no such attribute (others are ignored)', () => {
    const dir = withMetadata(metadata(attribute('http://macedir.org/entity-category', 'x')));
    expect(loadRp(dir, STAGING).impersonation.declaredMaxLevel).toBeUndefined();
    expect(effectiveMaxLevel(loadRp(dir, STAGING).impersonation)).toBe('impersonate');
  });

  it.each([
    ['two values', levelAttribute('identify', 'delegate'), 'more than one value'],
    [
      'the attribute twice',
      `${levelAttribute('identify')}${levelAttribute('identify')}`,
      'more than one value',
    ],
    ['no value', levelAttribute(), 'no value'],
  ])('refuses %s, naming metadataFile', (_what, attributes, problem) => {
    const dir = withMetadata(metadata(attributes));
    expect(loadFailure(dir)).toBe(
      `conf/relying-party.yaml:${lineOf(dir, 'metadataFile:')}: samlServiceProviders[1].metadataFile: gives entity attribute ${MAX_IMPERSONATION_LEVEL_ATTRIBUTE} ${problem}`,
    );
  });

  it('refuses a value that is no level, naming metadataFile and the attribute', () => {
    const dir = withMetadata(metadata(levelAttribute('everything')));
    expect(loadFailure(dir)).toBe(
      `conf/relying-party.yaml:${lineOf(dir, 'metadataFile:')}: samlServiceProviders[1].metadataFile: entity attribute ${MAX_IMPERSONATION_LEVEL_ATTRIBUTE} is "everything"; must be one of identify, impersonate, delegate`,
    );
  });

  it('refuses mode required at an SP that declares identify for itself', () => {
    const dir = withMetadata(
      metadata(levelAttribute('identify')),
      'postAuthenticationFlows: [impersonate]',
      'impersonation: { mode: required }',
    );
    expect(loadFailure(dir)).toBe(
      `conf/relying-party.yaml:${lineOf(dir, 'mode: required')}: samlServiceProviders[1].impersonation.mode: required, but the relying party declares identify for itself (metadataFile): it would never receive an identity`,
    );
  });
});
