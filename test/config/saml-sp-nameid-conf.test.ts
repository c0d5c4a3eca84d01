/**
 * An SP's nameIDFormat in relying-party.yaml (src/config/saml-sp-nameid-conf.ts): one format or a
 * list in precedence order, short names or URIs; the default keeps the account name
 * (unspecified); an unknown or repeated format fails start-up naming file:line and key.
 */
import { describe, expect, it } from 'vitest';
import type { SamlServiceProvider } from '../../src/relying-party/relying-party.js';
import { confWithRps, lineOf, loadFailure, loadRp } from '../support/rp-conf.js';

const SP = 'https://nameid.example.org/sp';

function entry(nameIdFormat?: string): string {
  return [
    `  - entityID: ${SP}`,
    '    assertionConsumerServiceURL: https://nameid.example.org/acs',
    ...(nameIdFormat === undefined ? [] : [`    nameIDFormat: ${nameIdFormat}`]),
  ].join('\n');
}

const formatsOf = (nameIdFormat?: string) =>
  (loadRp(confWithRps({ saml: entry(nameIdFormat) }), SP) as SamlServiceProvider).nameIDFormats;

describe('nameIDFormat', () => {
  it('defaults to unspecified (the account name), as before formats could be listed', () => {
    expect(formatsOf()).toEqual(['unspecified']);
  });

  it('takes one format, or a list in precedence order, by short name or URI', () => {
    expect(formatsOf('persistent')).toEqual(['persistent']);
    expect(formatsOf('[persistent, transient, emailAddress, unspecified]')).toEqual([
      'persistent',
      'transient',
      'emailAddress',
      'unspecified',
    ]);
    expect(
      formatsOf(
        '[urn:oasis:names:tc:SAML:2.0:nameid-format:transient, urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress]',
      ),
    ).toEqual(['transient', 'emailAddress']);
  });

  it('fails start-up at the file, line and key for an unknown, repeated or empty format', () => {
    const unknown = confWithRps({ saml: entry('[persistent, kerberos]') });
    expect(loadFailure(unknown)).toBe(
      `conf/relying-party.yaml:${lineOf(unknown, 'kerberos')}: samlServiceProviders[1].nameIDFormat[1]: kerberos is no NameID format (one of unspecified, emailAddress, transient, persistent)`,
    );
    const scalar = confWithRps({ saml: entry('persistant') });
    expect(loadFailure(scalar)).toMatch(
      /relying-party\.yaml:\d+: samlServiceProviders\[1\]\.nameIDFormat: persistant is no NameID format/,
    );
    const twice = confWithRps({
      saml: entry('[persistent, urn:oasis:names:tc:SAML:2.0:nameid-format:persistent]'),
    });
    expect(loadFailure(twice)).toMatch(
      /samlServiceProviders\[1\]\.nameIDFormat\[1\]: urn:oasis:names:tc:SAML:2\.0:nameid-format:persistent is listed twice$/,
    );
    expect(loadFailure(confWithRps({ saml: entry('[]') }))).toMatch(
      /samlServiceProviders\[1\]\.nameIDFormat: must name at least one format$/,
    );
  });
});
