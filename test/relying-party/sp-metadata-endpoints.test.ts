/**
 * The endpoints the IdP reads from an SP's metadata: every AssertionConsumerService (Location,
 * Binding, index, isDefault) and SingleLogoutService (with ResponseLocation), the NameIDFormats,
 * and the refusals of what no IdP could choose from safely: a missing Location or Binding, an
 * index that is no unsignedShort, two endpoints of one index, two defaults, a non-http(s) URL.
 * Then defaultAcs: SAML metadata §2.2.3's default among the HTTP-POST endpoints.
 */
import { describe, expect, it } from 'vitest';
import { defaultAcs, type AcsEndpoint } from '../../src/relying-party/saml-endpoints.js';
import { spMetadataKeys } from '../../src/relying-party/sp-metadata.js';

const SP = 'https://sp.example.org/shibboleth';
const B = 'urn:oasis:names:tc:SAML:2.0:bindings:';
const POST = `${B}HTTP-POST`;
const ARTIFACT = `${B}HTTP-Artifact`;
const REDIRECT = `${B}HTTP-Redirect`;

const metadata = (role: string) =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${SP}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${role}
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
const acs = (binding: string, location: string, index: string, isDefault?: string) =>
  `<md:AssertionConsumerService Binding="${binding}" Location="${location}" index="${index}"${isDefault === undefined ? '' : ` isDefault="${isDefault}"`}/>`;
const read = (role: string) => spMetadataKeys(metadata(role), SP);

describe('AssertionConsumerService endpoints', () => {
  it('reads every one, whatever its binding, in document order', () => {
    const keys = read(
      acs(ARTIFACT, 'https://sp.example.org/art', '2') +
        acs(POST, 'https://sp.example.org/post', ' 1 ', 'true') +
        acs(POST, 'https://sp.example.org/other', '7', '0'),
    );
    expect(keys.assertionConsumerServices).toEqual([
      { location: 'https://sp.example.org/art', binding: ARTIFACT, index: 2 },
      { location: 'https://sp.example.org/post', binding: POST, index: 1, isDefault: true },
      { location: 'https://sp.example.org/other', binding: POST, index: 7, isDefault: false },
    ]);
  });

  it.each([
    [
      'no Location',
      `<md:AssertionConsumerService Binding="${POST}" index="0"/>`,
      'without Location',
    ],
    [
      'no Binding',
      '<md:AssertionConsumerService Location="https://sp.example.org/acs" index="0"/>',
      'without Binding',
    ],
    [
      'no index',
      `<md:AssertionConsumerService Binding="${POST}" Location="https://a/"/>`,
      'index ""',
    ],
    ['a negative index', acs(POST, 'https://sp.example.org/acs', '-1'), 'index "-1"'],
    ['an index over 65535', acs(POST, 'https://sp.example.org/acs', '65536'), 'index "65536"'],
    ['a fractional index', acs(POST, 'https://sp.example.org/acs', '1.5'), 'index "1.5"'],
    [
      'a javascript: Location',
      acs(POST, 'javascript:alert(1)', '0'),
      'Location "javascript:alert(1)" is no http(s) URL',
    ],
    ['a relative Location', acs(POST, '/acs', '0'), 'Location "/acs" is no http(s) URL'],
    [
      'two endpoints of one index',
      acs(POST, 'https://sp.example.org/a', '3') + acs(ARTIFACT, 'https://sp.example.org/b', '3'),
      'two AssertionConsumerService endpoints with index 3',
    ],
    [
      'two defaults',
      acs(POST, 'https://sp.example.org/a', '0', 'true') +
        acs(POST, 'https://sp.example.org/b', '1', '1'),
      'more than one AssertionConsumerService isDefault="true"',
    ],
    [
      'an isDefault that is no boolean',
      acs(POST, 'https://a.example/', '0', 'yes'),
      'isDefault "yes"',
    ],
  ])('refuses %s', (_what, role, message) => {
    expect(() => read(role)).toThrow(message);
  });
});

describe('SingleLogoutService endpoints and NameIDFormats', () => {
  it('reads Location, Binding and ResponseLocation, and the formats in order', () => {
    const keys = read(
      `<md:SingleLogoutService Binding="${REDIRECT}" Location="https://sp.example.org/slo" ResponseLocation="https://sp.example.org/slo/done"/>` +
        `<md:SingleLogoutService Binding="${POST}" Location="https://sp.example.org/slo-post"/>` +
        '<md:NameIDFormat> urn:oasis:names:tc:SAML:2.0:nameid-format:persistent </md:NameIDFormat>' +
        '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>' +
        acs(POST, 'https://sp.example.org/acs', '0'),
    );
    expect(keys.singleLogoutServices).toEqual([
      {
        location: 'https://sp.example.org/slo',
        binding: REDIRECT,
        responseLocation: 'https://sp.example.org/slo/done',
      },
      { location: 'https://sp.example.org/slo-post', binding: POST },
    ]);
    expect(keys.nameIdFormats).toEqual([
      'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    ]);
  });

  it('refuses a ResponseLocation that is no http(s) URL', () => {
    expect(() =>
      read(
        `<md:SingleLogoutService Binding="${REDIRECT}" Location="https://sp.example.org/slo" ResponseLocation="data:text/html,x"/>`,
      ),
    ).toThrow('ResponseLocation "data:text/html,x" is no http(s) URL');
  });
});

describe('defaultAcs', () => {
  const e = (index: number, binding: string, isDefault?: boolean): AcsEndpoint => ({
    location: `https://sp.example.org/${index}`,
    binding,
    index,
    ...(isDefault === undefined ? {} : { isDefault }),
  });

  it.each([
    ['the one marked isDefault="true"', [e(0, POST), e(1, POST, true)], 1],
    ['else the first not marked "false"', [e(0, POST, false), e(5, POST), e(1, POST)], 5],
    ['else the first', [e(3, POST, false), e(1, POST, false)], 3],
    ['never one of another binding, default or not', [e(0, ARTIFACT, true), e(2, POST, false)], 2],
  ] as [string, AcsEndpoint[], number][])(
    'is %s among the HTTP-POST endpoints',
    (_w, all, index) => {
      expect(defaultAcs(all)?.index).toBe(index);
    },
  );

  it('is undefined without an HTTP-POST endpoint', () => {
    expect(defaultAcs([e(0, ARTIFACT, true), e(1, REDIRECT)])).toBeUndefined();
  });
});
