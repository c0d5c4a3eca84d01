/**
 * Single logout keys in relying-party.yaml (src/config/saml-sp-logout-conf.ts): an SP must sign
 * its logout messages unless wantLogoutMessagesSigned is false; its logout endpoint is
 * singleLogoutServiceURL (redirect unless singleLogoutServiceBinding says post), else its
 * metadata's; a bad URL or binding fails start-up naming file:line and key. An OIDC client's
 * postLogoutRedirectUris are checked like its redirect URIs.
 */
import { describe, expect, it } from 'vitest';
import type { OidcClient, SamlServiceProvider } from '../../src/relying-party/relying-party.js';
import { confWithRps, lineOf, loadFailure, loadRp } from '../support/rp-conf.js';

const SP = 'https://slo.example.org/sp';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

function entry(...lines: string[]): string {
  return [
    `  - entityID: ${SP}`,
    '    assertionConsumerServiceURL: https://slo.example.org/acs',
    ...lines.map((l) => `    ${l}`),
  ].join('\n');
}

const sp = (...lines: string[]) =>
  loadRp(confWithRps({ saml: entry(...lines) }), SP) as SamlServiceProvider;

describe('SAML single logout keys', () => {
  it('require signed logout messages by default, with no endpoint of their own', () => {
    expect(sp()).toMatchObject({ wantLogoutMessagesSigned: true, singleLogoutServices: [] });
    expect(sp('wantLogoutMessagesSigned: false').wantLogoutMessagesSigned).toBe(false);
  });

  it('take singleLogoutServiceURL by HTTP-Redirect, or by HTTP-POST when the binding says so', () => {
    expect(sp('singleLogoutServiceURL: https://slo.example.org/slo').singleLogoutServices).toEqual([
      { location: 'https://slo.example.org/slo', binding: REDIRECT },
    ]);
    expect(
      sp('singleLogoutServiceURL: https://slo.example.org/slo', 'singleLogoutServiceBinding: post')
        .singleLogoutServices,
    ).toEqual([{ location: 'https://slo.example.org/slo', binding: POST }]);
  });

  it('fail start-up at the file, line and key for a bad URL or binding', () => {
    const url = confWithRps({ saml: entry('singleLogoutServiceURL: not-a-url') });
    expect(loadFailure(url)).toBe(
      `conf/relying-party.yaml:${lineOf(url, 'not-a-url')}: samlServiceProviders[1].singleLogoutServiceURL: must be an absolute http(s) URL`,
    );
    expect(loadFailure(confWithRps({ saml: entry('singleLogoutServiceBinding: soap') }))).toMatch(
      /samlServiceProviders\[1\]\.singleLogoutServiceBinding: soap is no logout binding/,
    );
  });
});

describe('OIDC postLogoutRedirectUris', () => {
  const client = (uris: string) =>
    [
      '  - clientId: slo-client',
      '    clientSecret: a-client-secret-of-16-chars',
      '    redirectUris: ["https://rp.example.org/cb"]',
      `    postLogoutRedirectUris: ${uris}`,
    ].join('\n');

  it('are listed exactly, and checked like redirect URIs', () => {
    const rp = loadRp(
      confWithRps({ oidc: client('["https://rp.example.org/bye"]') }),
      'slo-client',
    );
    expect((rp as OidcClient).postLogoutRedirectUris).toEqual(['https://rp.example.org/bye']);
    expect(loadFailure(confWithRps({ oidc: client('["javascript:alert(1)"]') }))).toMatch(
      /oidcClients\[\d\]\.postLogoutRedirectUris/,
    );
  });
});
