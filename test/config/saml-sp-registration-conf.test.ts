/**
 * Registering a SAML SP from its metadata file (relying-party.yaml): an entry may be just
 * `metadataFile:` (the entityID is the metadata's), the endpoints come from the metadata unless
 * YAML gives assertionConsumerServiceURL (then the one endpoint), and what cannot work fails at
 * start-up naming file, line and key: a YAML entityID that is not the metadata's, no HTTP-POST ACS,
 * neither entityID nor metadataFile, a duplicate, or wantAuthnRequestsSigned: false against the
 * metadata's AuthnRequestsSigned="true".
 */
import { describe, expect, it } from 'vitest';
import type { SamlServiceProvider } from '../../src/relying-party/relying-party.js';
import { confWithRps, lineOf, loadFailure, loadRp } from '../support/rp-conf.js';

const SP = 'https://md-sp.example.org/shibboleth';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const ARTIFACT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

const metadata = (entityID: string, role: string, attrs = '') =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityID}">
  <md:SPSSODescriptor${attrs} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${role}
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
const ENDPOINTS =
  `<md:SingleLogoutService Binding="${REDIRECT}" Location="https://md-sp.example.org/slo"/>` +
  '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>' +
  `<md:AssertionConsumerService Binding="${ARTIFACT}" Location="https://md-sp.example.org/art" index="0" isDefault="true"/>` +
  `<md:AssertionConsumerService Binding="${POST}" Location="https://md-sp.example.org/post" index="1"/>`;

const withMetadata = (entry: string, xml = metadata(SP, ENDPOINTS)) =>
  confWithRps({ saml: entry, files: { 'md.xml': xml } });
const spAt = (dir: string) => loadRp(dir, SP) as SamlServiceProvider;
const at = (dir: string, needle: string, key: string) =>
  `conf/relying-party.yaml:${lineOf(dir, needle)}: samlServiceProviders[1].${key}: `;

describe('SP registration from a metadata file', () => {
  it('takes the entityID, endpoints and formats of the metadata for an entry of metadataFile alone', () => {
    const sp = spAt(withMetadata('  - metadataFile: md.xml'));
    expect(sp.id).toBe(SP);
    expect(sp.displayName).toBe(SP);
    expect(sp.assertionConsumerServices).toEqual([
      { location: 'https://md-sp.example.org/art', binding: ARTIFACT, index: 0, isDefault: true },
      { location: 'https://md-sp.example.org/post', binding: POST, index: 1 },
    ]);
    // The default is an HTTP-POST one: the Artifact endpoint marked default is not usable.
    expect(sp.assertionConsumerServiceURL).toBe('https://md-sp.example.org/post');
    expect(sp.singleLogoutServices).toEqual([
      { location: 'https://md-sp.example.org/slo', binding: REDIRECT },
    ]);
    expect(sp.metadataNameIdFormats).toEqual([
      'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    ]);
  });

  it("lets YAML keys override: assertionConsumerServiceURL is then the SP's one endpoint", () => {
    const sp = spAt(
      withMetadata(
        `  - entityID: ${SP}\n    displayName: MD\n    metadataFile: md.xml\n    assertionConsumerServiceURL: https://md-sp.example.org/yaml`,
      ),
    );
    expect(sp.displayName).toBe('MD');
    expect(sp.assertionConsumerServices).toEqual([
      { location: 'https://md-sp.example.org/yaml', binding: POST, index: 0, isDefault: true },
    ]);
    expect(sp.assertionConsumerServiceURL).toBe('https://md-sp.example.org/yaml');
  });

  it('keeps a YAML-only entry as it was: one HTTP-POST endpoint, no logout endpoints', () => {
    const sp = spAt(
      confWithRps({
        saml: `  - entityID: ${SP}\n    assertionConsumerServiceURL: https://md-sp.example.org/acs`,
      }),
    );
    expect(sp.assertionConsumerServices).toEqual([
      { location: 'https://md-sp.example.org/acs', binding: POST, index: 0, isDefault: true },
    ]);
    expect(sp.singleLogoutServices).toEqual([]);
    expect(sp.metadataXml).toBeUndefined();
  });

  it('fails at start-up on a YAML entityID that is not the one the metadata describes', () => {
    const dir = withMetadata('  - entityID: https://yaml.example.org/sp\n    metadataFile: md.xml');
    expect(loadFailure(dir)).toBe(
      `${at(dir, 'metadataFile: md.xml', 'metadataFile')}describes "${SP}", not "https://yaml.example.org/sp"`,
    );
  });

  it('fails at start-up when metadata lists no HTTP-POST ACS and YAML gives none', () => {
    const dir = withMetadata(
      '  - metadataFile: md.xml',
      metadata(
        SP,
        `<md:AssertionConsumerService Binding="${ARTIFACT}" Location="https://md-sp.example.org/art" index="0"/>`,
      ),
    );
    expect(loadFailure(dir)).toMatch(
      new RegExp(`^${escape(at(dir, 'metadataFile: md.xml', 'metadataFile'))}lists no HTTP-POST`),
    );
  });

  it('fails at start-up on an entry with neither entityID nor metadataFile, or no endpoint', () => {
    const none = confWithRps({ saml: '  - displayName: Nobody' });
    expect(loadFailure(none)).toBe(
      `${at(none, 'displayName: Nobody', 'entityID')}is required (or a metadataFile naming the SP)`,
    );
    const noAcs = confWithRps({ saml: `  - entityID: ${SP}` });
    expect(loadFailure(noAcs)).toMatch(
      new RegExp(`${escape('samlServiceProviders[1].assertionConsumerServiceURL: is required')}`),
    );
  });

  it('fails at start-up on a second entry for the entity of a metadata file', () => {
    const dir = confWithRps({
      saml: `  - entityID: ${SP}\n    assertionConsumerServiceURL: https://md-sp.example.org/acs\n  - metadataFile: md.xml`,
      files: { 'md.xml': metadata(SP, ENDPOINTS) },
    });
    expect(loadFailure(dir)).toMatch(
      /samlServiceProviders\[2\]\.metadataFile: duplicate relying party$/,
    );
  });

  it('fails at start-up on wantAuthnRequestsSigned: false against AuthnRequestsSigned="true"', () => {
    const dir = withMetadata(
      '  - metadataFile: md.xml\n    wantAuthnRequestsSigned: false',
      metadata(SP, ENDPOINTS, ' AuthnRequestsSigned="true"'),
    );
    expect(loadFailure(dir)).toBe(
      `${at(dir, 'wantAuthnRequestsSigned: false', 'wantAuthnRequestsSigned')}must not be false: the SP's metadata says AuthnRequestsSigned="true"`,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
