/**
 * Which NameID formats may answer a request (src/relying-party/name-id-choice.ts), SAML core
 * §3.4.1.1 as Shibboleth applies it.
 */
import { describe, expect, it } from 'vitest';
import { formatChoice, type NameIdPolicy } from '../../src/relying-party/name-id-choice.js';
import { NAMEID_FORMATS, type SamlServiceProvider } from '../../src/relying-party/relying-party.js';

const SP = {
  id: 'https://sp.example.org/sp',
  nameIDFormats: ['persistent', 'transient'],
} as unknown as SamlServiceProvider;

const policy = (p: Partial<NameIdPolicy>): NameIdPolicy => ({
  format: null,
  allowCreate: true,
  spNameQualifier: null,
  ...p,
});

describe('formatChoice', () => {
  it('leaves the choice to the SP’s formats without a policy, a Format, or with unspecified', () => {
    for (const p of [null, undefined, policy({}), policy({ format: NAMEID_FORMATS.unspecified })])
      expect(formatChoice(SP, p)).toEqual({ formats: ['persistent', 'transient'] });
  });

  it('narrows to a Format the SP is configured for', () => {
    expect(formatChoice(SP, policy({ format: NAMEID_FORMATS.transient }))).toEqual({
      formats: ['transient'],
    });
  });

  it('refuses a Format the SP is not configured for, or one the IdP does not know', () => {
    for (const format of [
      NAMEID_FORMATS.emailAddress,
      'urn:oasis:names:tc:SAML:2.0:nameid-format:encrypted',
    ])
      expect(formatChoice(SP, policy({ format }))).toEqual({
        refused: `Format ${JSON.stringify(format)} is not one configured for the SP (persistent, transient)`,
      });
  });

  it('accepts the SP’s own entity ID as SPNameQualifier and refuses any other', () => {
    expect(formatChoice(SP, policy({ spNameQualifier: SP.id }))).toHaveProperty('formats');
    expect(formatChoice(SP, policy({ spNameQualifier: 'urn:affiliation' }))).toEqual({
      refused:
        'SPNameQualifier "urn:affiliation" is not the SP\'s entity ID (affiliations are not supported)',
    });
  });
});
