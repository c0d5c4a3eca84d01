/**
 * How relying-party.yaml says which certificates verify an SP's AuthnRequests, and the start-up
 * errors for settings that could never work (a signature requirement without a certificate).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../../src/config/load-configuration.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../../src/core/paths.js';
import type { SamlServiceProvider } from '../../../src/relying-party/relying-party.js';

const SP = 'https://md-sp.example.org/shibboleth';
let cert: string;

beforeAll(async () => {
  cert = (
    await generate([{ name: 'commonName', value: 'md-sp' }], { keySize: 2048, algorithm: 'sha256' })
  ).cert;
});

function load(
  spYaml: string,
  files: Record<string, string> = {},
  overrides: Record<string, string> = {},
) {
  const home = mkdtempSync(path.join(tmpdir(), 'conf-'));
  const dir = path.join(home, 'conf');
  cpSync(DEFAULT_CONF_DIR, dir, { recursive: true });
  const rp = path.join(dir, 'relying-party.yaml');
  writeFileSync(
    rp,
    readFileSync(rp, 'utf8').replace(
      '\noidcClients:',
      `\n  - entityID: ${SP}\n    assertionConsumerServiceURL: https://md-sp.example.org/acs\n${spYaml}\noidcClients:`,
    ),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return loadConfiguration({ home, confDir: dir, env: {}, overrides });
}

function sp(config: ReturnType<typeof load>): SamlServiceProvider {
  return config.relyingParties.find((rp) => rp.id === SP) as SamlServiceProvider;
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigurationError) return err.message;
    throw err;
  }
  throw new Error('no configuration error');
}

const metadata = (entityID: string, use = 'signing') => {
  const der = cert.replace(/-----[^-]+-----|\s/g, '');
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityID}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://md-sp.example.org/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
};

describe('SP certificates for AuthnRequest signatures', () => {
  it('takes the signing certificates of metadataFile, and then requires signed requests by default', () => {
    const loaded = sp(load('    metadataFile: md.xml', { 'md.xml': metadata(SP) }));
    expect(loaded.signingCertificates).toHaveLength(1);
    expect(loaded.signingCertificates[0]).toContain('-----BEGIN CERTIFICATE-----');
    expect(loaded.wantAuthnRequestsSigned).toBe(true);
    expect(loaded.allowSha1Signatures).toBe(false);
  });

  it('ignores encryption keys of the metadata', () => {
    const loaded = sp(load('    metadataFile: md.xml', { 'md.xml': metadata(SP, 'encryption') }));
    expect(loaded.signingCertificates).toEqual([]);
    expect(loaded.wantAuthnRequestsSigned).toBe(false);
  });

  it.each([
    [
      'signed requests required without a certificate',
      '    wantAuthnRequestsSigned: true',
      () => ({}),
      /relying-party\.yaml:\d+: samlServiceProviders\[1\]\.wantAuthnRequestsSigned: signed AuthnRequests are required but the SP has no certificate/,
    ],
    [
      'SHA-1 allowed without a certificate',
      '    allowSha1Signatures: true',
      () => ({}),
      /samlServiceProviders\[1\]\.allowSha1Signatures: has no effect/,
    ],
    [
      'a certificate file that is no certificate',
      '    signingCertificate: bad.crt',
      () => ({ 'bad.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }),
      /samlServiceProviders\[1\]\.signingCertificate: holds a certificate that cannot be read/,
    ],
    [
      'metadata of another entity',
      '    metadataFile: md.xml',
      () => ({ 'md.xml': metadata('https://other.example.org/sp') }),
      /samlServiceProviders\[1\]\.metadataFile: describes "https:\/\/other\.example\.org\/sp"/,
    ],
  ] as [string, string, () => Record<string, string>, RegExp][])(
    'fails at start-up on %s, naming file and key',
    (_what, yaml, files, message) => {
      expect(failure(() => load(yaml, files()))).toMatch(message);
    },
  );

  it('checks the inbound limits at start-up', () => {
    expect(failure(() => load('', {}, { 'idp.saml.inbound.maxConcurrent': '0' }))).toBe(
      'override: idp.saml.inbound.maxConcurrent: must be between 1 and 100000 (got 0)',
    );
    expect(failure(() => load('', {}, { 'idp.saml.inbound.maxMessageSize': '100' }))).toMatch(
      /idp\.saml\.inbound\.maxMessageSize: must be between 1024 and 1048576/,
    );
  });
});
