/**
 * metadataProviders: in relying-party.yaml (metadata-providers-conf.ts): a directory of metadata
 * files or a signed aggregate supplies the metadata of samlServiceProviders entries that give only
 * their entityID; YAML keys still win; serveUnlisted serves the rest with defaults. What cannot
 * work fails at start-up naming file, line and key — or the metadata file that was refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SamlServiceProvider } from '../../src/relying-party/relying-party.js';
import { keyPair, type KeyPair } from '../support/key-pair.js';
import { confWithRps, lineOf, loadFailure, loadRp, loadRps } from '../support/rp-conf.js';
import { aggregate, signAggregate, spEntity } from '../support/sp-aggregate.js';

const A = 'https://a.example.org/sp';
const B = 'https://b.example.org/sp';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

let federation: KeyPair;
let spKeys: KeyPair;
beforeAll(async () => {
  [federation, spKeys] = await Promise.all([keyPair('federation'), keyPair('sp')]);
});

const withProviders = (providers: string, saml?: string, files: Record<string, string> = {}) =>
  confWithRps({ saml, edit: (t) => `${t}\nmetadataProviders:\n${providers}\n`, files });
const DIRECTORY = '  - id: dir\n    type: directory\n    path: metadata\n    refreshInterval: PT0S';
const dirFiles = () => ({
  'metadata/a.xml': spEntity(
    A,
    { acs: 'https://a.example.org/acs', signingCert: spKeys.certPem },
    true,
  ),
  'metadata/b.xml': spEntity(B, { acs: 'https://b.example.org/acs' }, true),
  'metadata/notes.txt': 'not metadata: only *.xml files are read',
});
const samlAt = (dir: string, id: string) => loadRp(dir, id) as SamlServiceProvider;
const at = (dir: string, needle: string, key: string) =>
  `conf/relying-party.yaml:${lineOf(dir, needle)}: ${key}: `;

describe('a directory metadata provider', () => {
  it('supplies endpoints and keys to an entry that gives only its entityID', () => {
    const dir = withProviders(DIRECTORY, `  - entityID: ${A}`, dirFiles());
    const sp = samlAt(dir, A);
    expect(sp.assertionConsumerServices).toEqual([
      { location: 'https://a.example.org/acs', binding: POST, index: 1, isDefault: true },
    ]);
    expect(sp.signingCertificates).toHaveLength(1);
    expect(sp.wantAuthnRequestsSigned).toBe(true);
    expect(sp.metadataProvider).toBe('dir');
    expect(sp.metadataXml).toContain(A);
    // Not listed, not served: serveUnlisted is false by default.
    expect(loadRps(dir).some((rp) => rp.id === B)).toBe(false);
  });

  it('lets YAML keys win over the metadata, as with metadataFile', () => {
    const dir = withProviders(
      DIRECTORY,
      `  - entityID: ${A}\n    displayName: A in YAML\n    assertionConsumerServiceURL: https://a.example.org/yaml-acs`,
      dirFiles(),
    );
    const sp = samlAt(dir, A);
    expect(sp.displayName).toBe('A in YAML');
    expect(sp.assertionConsumerServices).toEqual([
      { location: 'https://a.example.org/yaml-acs', binding: POST, index: 0, isDefault: true },
    ]);
    expect(sp.signingCertificates).toHaveLength(1);
  });

  it('serves every SP of a serveUnlisted provider, with the defaults', () => {
    const dir = withProviders(
      `${DIRECTORY}\n    serveUnlisted: true`,
      `  - entityID: ${A}`,
      dirFiles(),
    );
    const b = samlAt(dir, B);
    expect(b.unlisted).toBe(true);
    expect(b.assertionConsumerServiceURL).toBe('https://b.example.org/acs');
    expect(b.declaredAt).toBe('metadata/b.xml:1');
    expect(samlAt(dir, A).unlisted).toBeUndefined();
  });

  it("names the entry's entityID for a problem in the metadata a provider supplied", () => {
    const cap = `<md:Extensions><mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute"><saml:Attribute xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Name="urn:x-idp-impersonate:max-impersonation-level"><saml:AttributeValue>bogus</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes></md:Extensions>`;
    const files = {
      ...dirFiles(),
      'metadata/a.xml': spEntity(A, { acs: 'https://a.example.org/acs' }, true).replace(
        '<md:SPSSODescriptor',
        `${cap}<md:SPSSODescriptor`,
      ),
    };
    const dir = withProviders(DIRECTORY, `  - entityID: ${A}`, files);
    expect(loadFailure(dir)).toMatch(
      new RegExp(
        `^conf/relying-party.yaml:${lineOf(dir, `- entityID: ${A}`)}: samlServiceProviders\\[1\\]\\.entityID: .*bogus`,
      ),
    );
  });

  it('fails start-up for a listed entityID no provider describes, naming its line', () => {
    const dir = withProviders(
      DIRECTORY,
      '  - entityID: https://nowhere.example.org/sp',
      dirFiles(),
    );
    expect(loadFailure(dir)).toBe(
      `${at(dir, 'nowhere.example.org', 'samlServiceProviders[1].entityID')}is described by no metadata provider (and the entry has no metadataFile or assertionConsumerServiceURL)`,
    );
  });

  it('fails start-up when two files describe one entity, naming the file', () => {
    const files = { ...dirFiles(), 'metadata/c.xml': spEntity(A, { acs: 'https://x/acs' }, true) };
    const dir = withProviders(DIRECTORY, undefined, files);
    expect(loadFailure(dir)).toMatch(
      /metadataProviders\[0\]\.path: .*metadata\/c\.xml: describes "https:\/\/a\.example\.org\/sp", which .*metadata\/a\.xml describes too$/,
    );
  });
});

describe('a signed aggregate provider', () => {
  const AGGREGATE =
    '  - id: federation\n    type: aggregate\n    path: federation.xml\n    signingCertificate: federation.pem';
  const signed = () =>
    signAggregate(
      aggregate([
        spEntity(A, { acs: 'https://a.example.org/acs' }),
        spEntity(B, { acs: 'https://b.example.org/acs' }),
      ]),
      federation.privatePem,
    );

  it('is read when its signature verifies with the configured certificate', () => {
    const dir = withProviders(AGGREGATE, `  - entityID: ${B}`, {
      'federation.xml': signed(),
      'federation.pem': federation.certPem,
    });
    expect(samlAt(dir, B).assertionConsumerServiceURL).toBe('https://b.example.org/acs');
    expect(samlAt(dir, B).metadataProvider).toBe('federation');
  });

  it('fails start-up, naming the file, when the aggregate was changed after signing', () => {
    const dir = withProviders(AGGREGATE, `  - entityID: ${B}`, {
      'federation.xml': signed().replace(
        'https://b.example.org/acs',
        'https://evil.example.org/acs',
      ),
      'federation.pem': federation.certPem,
    });
    const message = loadFailure(dir);
    expect(message.startsWith(at(dir, 'path: federation.xml', 'metadataProviders[0].path'))).toBe(
      true,
    );
    expect(message).toMatch(/federation\.xml: signature refused: the digest does not match/);
  });

  it('fails start-up when the aggregate has expired', () => {
    const expired = signAggregate(
      aggregate([spEntity(A, { acs: 'https://a.example.org/acs' })], {
        validUntil: '2001-01-01T00:00:00Z',
      }),
      federation.privatePem,
    );
    const dir = withProviders(AGGREGATE, undefined, {
      'federation.xml': expired,
      'federation.pem': federation.certPem,
    });
    expect(loadFailure(dir)).toMatch(
      /federation\.xml: has expired \(validUntil 2001-01-01T00:00:00Z\)$/,
    );
  });
});

describe('a file metadata provider', () => {
  it('supplies the SP of one EntityDescriptor, signed on its root when a certificate is given', () => {
    const entity = spEntity(A, { acs: 'https://a.example.org/acs' }, true).replace(
      '<md:EntityDescriptor ',
      '<md:EntityDescriptor ID="a-1" ',
    );
    const provider = (extra: string) =>
      `  - id: one\n    type: file\n    path: a.xml\n    refreshInterval: PT0S${extra}`;
    const plain = withProviders(provider(''), `  - entityID: ${A}`, { 'a.xml': entity });
    expect(samlAt(plain, A).metadataProvider).toBe('one');

    const signedFiles = {
      'a.xml': signAggregate(entity, federation.privatePem),
      'signer.pem': federation.certPem,
    };
    const signed = withProviders(
      provider('\n    signingCertificate: signer.pem'),
      `  - entityID: ${A}`,
      signedFiles,
    );
    expect(samlAt(signed, A).assertionConsumerServiceURL).toBe('https://a.example.org/acs');
    // The same file without its signature is refused once a certificate is configured.
    const unsigned = withProviders(
      provider('\n    signingCertificate: signer.pem'),
      `  - entityID: ${A}`,
      {
        ...signedFiles,
        'a.xml': entity,
      },
    );
    expect(loadFailure(unsigned)).toMatch(/a\.xml: signature refused: .*has 0 signatures/);
  });
});

describe('metadataProviders errors', () => {
  const fails = (providers: string, files: Record<string, string> = {}) => {
    const dir = withProviders(providers, undefined, files);
    return { dir, message: loadFailure(dir) };
  };

  it('requires a signing certificate for an aggregate unless requireSignature is false', () => {
    const { dir, message } = fails('  - id: f\n    type: aggregate\n    path: f.xml');
    expect(message).toBe(
      `${at(dir, '- id: f', 'metadataProviders[0].signingCertificate')}is required for an aggregate (or set requireSignature: false to trust it unsigned)`,
    );
    const unsigned = withProviders(
      '  - id: f\n    type: aggregate\n    path: f.xml\n    requireSignature: false',
      `  - entityID: ${A}`,
      { 'f.xml': aggregate([spEntity(A, { acs: 'https://a.example.org/acs' })]) },
    );
    expect(samlAt(unsigned, A).metadataProvider).toBe('f');
  });

  it('refuses contradictions, unknown types and keys, duplicates and bad intervals', () => {
    expect(
      fails(
        '  - id: f\n    type: aggregate\n    path: f.xml\n    signingCertificate: f.pem\n    requireSignature: false',
        { 'f.pem': federation.certPem },
      ).message,
    ).toMatch(
      /metadataProviders\[0\]\.requireSignature: must not be false when a signingCertificate is given$/,
    );
    expect(fails('  - id: f\n    type: remote\n    path: f.xml').message).toMatch(
      /metadataProviders\[0\]\.type: must be one of file, directory, aggregate$/,
    );
    expect(fails('  - id: f\n    type: file\n    path: f.xml\n    url: https://x').message).toMatch(
      /metadataProviders\[0\]\.url: unknown key/,
    );
    expect(fails(`${DIRECTORY}\n${DIRECTORY}`, dirFiles()).message).toMatch(
      /metadataProviders\[1\]\.id: duplicate metadata provider id$/,
    );
    expect(
      fails('  - id: f\n    type: file\n    path: f.xml\n    refreshInterval: 5 minutes').message,
    ).toMatch(/metadataProviders\[0\]\.refreshInterval: must be an ISO-8601 duration/);
  });

  it('fails start-up naming a file that is missing', () => {
    const { dir, message } = fails('  - id: f\n    type: file\n    path: missing.xml');
    expect(message.startsWith(at(dir, 'path: missing.xml', 'metadataProviders[0].path'))).toBe(
      true,
    );
    expect(message).toMatch(/missing\.xml: cannot read: ENOENT$/);
  });
});
