/**
 * The signature of a metadata aggregate (metadata-signature.ts): only the one enveloped signature
 * of the root, by the root's ID, with SHA-2, verified with the configured certificate — never a
 * KeyInfo's. Everything else is refused before the aggregate's content is read.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyMetadataSignature } from '../../../src/frontend/saml/metadata-signature.js';
import { keyPair, type KeyPair } from '../../support/key-pair.js';
import { metadataSchemaErrors } from '../../support/metadata-schema.js';
import { aggregate, MD, signAggregate, spEntity } from '../../support/sp-aggregate.js';

const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const SP = 'https://agg-sp.example.org/shibboleth';
const unsigned = aggregate([spEntity(SP, { acs: 'https://agg-sp.example.org/acs' })]);
const bytes = (xml: string) => Buffer.from(xml, 'utf8');

let federation: KeyPair;
let attacker: KeyPair;

beforeAll(async () => {
  [federation, attacker] = await Promise.all([keyPair('federation'), keyPair('attacker')]);
});

const verify = (xml: string, cert = federation.certPem) =>
  verifyMetadataSignature(bytes(xml), cert);

describe('the signature of a metadata aggregate', () => {
  it('accepts the aggregate signed with the configured certificate and returns its text', () => {
    const signed = signAggregate(unsigned, federation.privatePem);
    // A federation's aggregate as the metadata schema has it: the Signature first in the root.
    expect(metadataSchemaErrors(signed)).toEqual([]);
    const text = verify(signed);
    expect(text).toContain(`entityID="${SP}"`);
    expect(text).toContain('https://agg-sp.example.org/acs');
  });

  it('refuses content changed after signing', () => {
    const signed = signAggregate(unsigned, federation.privatePem);
    const tampered = signed.replace(
      'https://agg-sp.example.org/acs',
      'https://evil.example.org/acs',
    );
    expect(tampered).not.toBe(signed);
    expect(() => verify(tampered)).toThrow(/signature refused: the digest does not match/);
  });

  it("refuses a signature by another key, even with that key's certificate in KeyInfo", () => {
    expect(() => verify(signAggregate(unsigned, attacker.privatePem))).toThrow(/does not verify/);
    const withKeyInfo = signAggregate(unsigned, attacker.privatePem, {
      keyInfoCert: attacker.certPem,
    });
    expect(withKeyInfo).toContain('X509Certificate');
    expect(() => verify(withKeyInfo)).toThrow(/does not verify/);
    // The same document verifies with the certificate it was signed for.
    expect(verify(withKeyInfo, attacker.certPem)).toContain(SP);
  });

  it('refuses an unsigned aggregate and one with two signatures', () => {
    expect(() => verify(unsigned)).toThrow(/has 0 signatures/);
    const twice = signAggregate(
      signAggregate(unsigned, federation.privatePem),
      federation.privatePem,
    );
    expect(() => verify(twice)).toThrow(/has 2 signatures/);
  });

  it('refuses a signature whose Reference names an element other than the root', () => {
    const withId = aggregate([
      spEntity(SP, { acs: 'https://agg-sp.example.org/acs' }).replace(
        '<md:EntityDescriptor ',
        '<md:EntityDescriptor ID="entity-1" ',
      ),
    ]);
    const innerSigned = signAggregate(withId, federation.privatePem, {
      xpath: "//*[local-name(.)='EntityDescriptor']",
    });
    expect(() => verify(innerSigned)).toThrow(/Reference URI "#entity-1" does not name/);
  });

  it('refuses signature wrapping: the signed aggregate moved inside an unsigned root', () => {
    const signed = signAggregate(unsigned, federation.privatePem);
    const signature = /<Signature[\s\S]*<\/Signature>/.exec(signed)![0];
    const original = signed.replace(/<\?xml[^>]*>\s*/, '').replace(signature, '');
    const evil = spEntity('https://evil.example.org/sp', { acs: 'https://evil.example.org/acs' });
    const wrapped = `<md:EntitiesDescriptor xmlns:md="${MD}" ID="evil-root">${signature}${evil}${original}</md:EntitiesDescriptor>`;
    expect(() => verify(wrapped)).toThrow(/does not name the EntitiesDescriptor \("#evil-root"\)/);
  });

  it('refuses a duplicated ID (the signed element and the read one could differ)', () => {
    const signed = signAggregate(unsigned, federation.privatePem);
    const dup = signed.replace('<md:EntityDescriptor ', '<md:EntityDescriptor ID="agg-1" ');
    expect(() => verify(dup)).toThrow(/more than one element with the ID "agg-1"/);
  });

  it('refuses SHA-1, in the signature method or the digest', () => {
    const sha1Sig = signAggregate(unsigned, federation.privatePem, {
      signatureAlgorithm: RSA_SHA1,
    });
    expect(() => verify(sha1Sig)).toThrow(/uses SHA-1, which is refused/);
    const sha1Digest = signAggregate(unsigned, federation.privatePem, { digestAlgorithm: SHA1 });
    expect(() => verify(sha1Digest)).toThrow(/is SHA-1, which is refused/);
  });

  it('refuses a DTD and text that is not XML', () => {
    const dtd = unsigned.replace(
      '<md:EntitiesDescriptor',
      '<!DOCTYPE x [<!ENTITY e "x">]>\n<md:EntitiesDescriptor',
    );
    expect(() => verify(dtd)).toThrow(/contains a DTD/);
    expect(() => verify('<md:EntitiesDescriptor')).toThrow(/is not well-formed XML/);
  });
});
