/**
 * The SAML schema validator and the strict parse in front of it, without HTTP: what is accepted,
 * what is refused and with which message.
 */
import { describe, expect, it } from 'vitest';
import { IdpError } from '../../../src/core/errors.js';
import { checkIdUniqueness } from '../../../src/frontend/saml/id-uniqueness.js';
import { parseSamlXml } from '../../../src/frontend/saml/saml-xml.js';
import { validateSamlSchema } from '../../../src/frontend/saml/schema-validator.js';
import { authnRequestXml } from '../../support/saml-messages.js';

const valid = authnRequestXml({
  issuer: 'https://sp.example.org/shibboleth',
  acs: 'https://sp.example.org/acs',
});

function check(xml: string | Buffer): void {
  const doc = parseSamlXml(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml);
  try {
    validateSamlSchema(doc);
    checkIdUniqueness(doc);
  } finally {
    doc.dispose();
  }
}

function refusal(xml: string | Buffer): IdpError {
  try {
    check(xml);
  } catch (err) {
    if (err instanceof IdpError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('SAML schema validation', () => {
  it('accepts a valid AuthnRequest', () => {
    expect(() => check(valid)).not.toThrow();
  });

  it.each([
    [
      'a missing required attribute',
      valid.replace(' Version="2.0"', ''),
      /not valid SAML 2\.0 \(Element '\{urn:oasis:names:tc:SAML:2\.0:protocol\}AuthnRequest': The attribute 'Version' is required but missing\.\)/,
    ],
    [
      'an element out of place',
      valid.replace('<saml:Issuer>', '<samlp:Scoping/><saml:Issuer>'),
      /not valid SAML 2\.0 \(Element '\{urn:oasis:names:tc:SAML:2\.0:assertion\}Issuer': This element is not expected/,
    ],
    [
      'an attribute of the wrong type',
      valid.replace('Version="2.0"', 'Version="2.0" ForceAuthn="maybe"'),
      /'maybe' is not a valid value of the atomic type 'xs:boolean'/,
    ],
    [
      'an ID that is not an NCName',
      valid.replace(/ID="[^"]+"/, 'ID="1abc"'),
      /is not a valid value of the atomic type 'xs:ID'/,
    ],
    [
      'another SAML message',
      valid.replace(/AuthnRequest/g, 'LogoutRequest'),
      /message is not a SAML 2\.0 AuthnRequest/,
    ],
  ])("refuses %s with libxml2's message", (_what, xml, message) => {
    const err = refusal(xml);
    expect(err.code).toBe('MESSAGE_MALFORMED');
    expect(err.message).toMatch(message);
  });

  it.each([
    ['an internal DTD', `<!DOCTYPE x [<!ENTITY e "boom">]>${valid}`],
    [
      'an external DTD',
      `<!DOCTYPE samlp:AuthnRequest SYSTEM "saml-schema-protocol-2.0.xsd">${valid}`,
    ],
    ['an entity declaration alone', `${valid}<!ENTITY e "x">`],
  ])('refuses %s before parsing', (_what, xml) => {
    expect(refusal(xml).message).toMatch(/contains a DTD \(DOCTYPE\)|not well-formed/);
  });

  it('refuses processing instructions, but not the XML declaration', () => {
    expect(() => check(`<?xml version="1.0" encoding="utf-8"?>${valid}`)).not.toThrow();
    expect(refusal(`<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?>${valid}`).message).toMatch(
      /processing instruction/,
    );
    expect(refusal(`${valid}<?pi after?>`).message).toMatch(/processing instruction/);
  });

  it('refuses bytes that are not UTF-8 and other declared encodings', () => {
    expect(
      refusal(Buffer.from(valid.replace('<saml:Issuer>', '<saml:Issuer>\u00e9'), 'latin1')).message,
    ).toBe('AuthnRequest is not UTF-8 text');
    expect(refusal(`<?xml version="1.0" encoding="UTF-16"?>${valid}`).message).toMatch(
      /declares encoding "UTF-16"/,
    );
  });

  it('refuses undefined entities and external references without loading anything', () => {
    expect(refusal(valid.replace('</saml:Issuer>', '&xxe;</saml:Issuer>')).message).toMatch(
      /not well-formed XML \(.*Entity 'xxe' not defined/,
    );
  });

  it('refuses two ID-like attributes with one value, in any namespace', () => {
    const id = /ID="([^"]+)"/.exec(valid)![1]!;
    const xml = valid.replace(
      '</saml:Issuer>',
      `</saml:Issuer><samlp:Extensions><x:E xmlns:x="urn:x" x:Id="${id}"/></samlp:Extensions>`,
    );
    expect(refusal(xml).message).toBe(`AuthnRequest has more than one element with the ID "${id}"`);
  });
});
