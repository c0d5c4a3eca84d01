/**
 * Shared pieces of the fuzz suites (fast-check): a fixed seed by default so a CI failure can be
 * replayed (FUZZ_SEED=<n> to replay, FUZZ_SEED=random for a fresh one, FUZZ_RUNS=<n> for more runs),
 * AuthnRequests built and encoded by hand so that every byte can be mutated, a reader for the
 * SAMLResponse an IdP page carries, and the audit-log shape every record must keep.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { DOMParser } from '@xmldom/xmldom';
import type { Page } from './browser.js';
import { DEFAULT_AUDIT_FIELDS } from './test-idp.js';

const seedSetting = process.env.FUZZ_SEED ?? '20261130';
/** fast-check parameters: the seed is printed by fast-check with any counterexample. */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  const numRuns = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  return seedSetting === 'random' ? { numRuns } : { numRuns, seed: Number(seedSetting) };
}

/** Runs go over HTTP to a real IdP; on a loaded 2-core machine a suite takes tens of seconds. */
export const FUZZ_TIMEOUT_MS = 300_000;

const DEMO_SP = 'https://sp.demo.example.org/shibboleth';
/** The demo SP's ACS in the test IdPs (test-idp.ts sets demo.sp.baseURL). */
export const DEMO_ACS = 'http://127.0.0.1:9/saml/acs';
export const ACCOUNTS = ['alice', 'bob', 'carol', 'dave', 'erin', 'admin'] as const;

export interface AuthnRequestFields {
  readonly id?: string;
  readonly issuer?: string;
  readonly acs?: string | null;
  readonly forceAuthn?: string | null;
  readonly isPassive?: string | null;
  readonly protocolBinding?: string | null;
  readonly extensions?: string;
}

/** An AuthnRequest as an SP would send it (unsigned), with any field replaceable. */
export function authnRequestXml(f: AuthnRequestFields = {}): string {
  const attr = (name: string, value: string | null | undefined) =>
    value === null || value === undefined ? '' : ` ${name}="${value}"`;
  return (
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' +
    attr('ID', f.id ?? `_${randomBytes(16).toString('hex')}`) +
    ' Version="2.0"' +
    attr('IssueInstant', new Date().toISOString()) +
    attr('AssertionConsumerServiceURL', f.acs === undefined ? DEMO_ACS : f.acs) +
    attr(
      'ProtocolBinding',
      f.protocolBinding === undefined
        ? 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
        : f.protocolBinding,
    ) +
    attr('ForceAuthn', f.forceAuthn) +
    attr('IsPassive', f.isPassive) +
    `><saml:Issuer>${f.issuer ?? DEMO_SP}</saml:Issuer>` +
    (f.extensions ?? '') +
    '<samlp:NameIDPolicy AllowCreate="true"/></samlp:AuthnRequest>'
  );
}

/** The Redirect binding's SAMLRequest value (deflated, base64). */
function redirectEncoded(xml: string): string {
  return deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64');
}

export function ssoRedirectURL(baseURL: string, xml: string, relayState = 'fuzz'): string {
  return `${baseURL}/idp/profile/SAML2/Redirect/SSO?SAMLRequest=${encodeURIComponent(redirectEncoded(xml))}&RelayState=${encodeURIComponent(relayState)}`;
}

/** Pieces of XML and text that have broken parsers before. */
const XML_TOKENS = [
  '<',
  '>',
  '&',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '"',
  "'",
  '<!--',
  '-->',
  '<!-- x -->',
  '<![CDATA[',
  ']]>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
  '<!ENTITY b SYSTEM "file:///etc/passwd">',
  '&a;',
  'xmlns="urn:x"',
  'xmlns:saml="urn:x"',
  ' ID="_dup"',
  ' ID="_dup"',
  '<saml:Issuer>https://evil.example/</saml:Issuer>',
  '<samlp:Extensions>',
  '</samlp:Extensions>',
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>',
  '\u0000',
  '\uFEFF',
  '\u202E',
  '\uD800',
  'é',
  '𝔞',
  '\r\n',
  '\t',
  'ForceAuthn="true"',
  'IsPassive="true"',
  'Version="3.0"',
  '</samlp:AuthnRequest>',
  '<samlp:AuthnRequest>',
];

const mutation = fc.oneof(
  fc.record({
    op: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...XML_TOKENS), fc.string({ maxLength: 12, unit: 'binary' })),
  }),
  fc.record({
    op: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function applyMutation(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  switch (m.op) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'duplicate':
      return text.slice(0, at) + text.slice(at, at + m.length) + text.slice(at);
  }
}

const flag = fc.constantFrom(null, 'true', 'false', '1', '0', 'TRUE', 'yes', '');
const maybeString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 30, unit: 'binary' }),
);

/** AuthnRequests from plausible to hostile: field values, then byte-level mutations. */
export const hostileAuthnRequest: fc.Arbitrary<string> = fc
  .record({
    id: fc.oneof(fc.constant(undefined), maybeString),
    issuer: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(
        DEMO_SP,
        ` ${DEMO_SP} `,
        DEMO_SP.toUpperCase(),
        'https://sp.demo.example.org/shibboleth/',
        '',
      ),
      maybeString,
    ),
    acs: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(
        null,
        'https://evil.example/acs',
        `${DEMO_ACS}?x=1`,
        `${DEMO_ACS.toUpperCase()}`,
      ),
      maybeString,
    ),
    forceAuthn: flag,
    isPassive: flag,
    protocolBinding: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(null, 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', 'urn:x'),
      maybeString,
    ),
    extensions: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(
        '<samlp:Extensions><x xmlns="urn:x">y</x></samlp:Extensions>',
        '<samlp:Extensions/>',
      ),
    ),
    mutations: fc.array(mutation, { maxLength: 4 }),
  })
  .map(({ mutations, ...fields }) => mutations.reduce(applyMutation, authnRequestXml(fields)));

/** How a SAMLRequest value is put on the wire; some of them are not valid encodings at all. */
export const samlRequestEncoding = fc.constantFrom(
  'deflate' as const,
  'base64' as const,
  'raw' as const,
  'truncated' as const,
  'garbage-base64' as const,
);

export function encodeSamlRequest(
  xml: string,
  encoding: 'deflate' | 'base64' | 'raw' | 'truncated' | 'garbage-base64',
): string {
  switch (encoding) {
    case 'deflate':
      return redirectEncoded(xml);
    case 'base64':
      return Buffer.from(xml, 'utf8').toString('base64');
    case 'raw':
      return xml;
    case 'truncated': {
      const full = redirectEncoded(xml);
      return full.slice(0, Math.max(1, Math.floor(full.length / 2)));
    }
    case 'garbage-base64':
      return `${redirectEncoded(xml)}!!==%%`;
  }
}

export interface ReleasedResponse {
  readonly destination: string;
  readonly statusCode: string;
  readonly nameId?: string;
  readonly assertionId?: string;
  readonly formAction: string;
}

/** The SAMLResponse an IdP page posts to the SP, read as the SP would, or undefined when there is none. */
export function releasedResponse(page: Page): ReleasedResponse | undefined {
  const input = page.html.querySelector('input[name=SAMLResponse]');
  if (!input) return undefined;
  const xml = Buffer.from(input.getAttribute('value') ?? '', 'base64').toString('utf8');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  const first = (ns: string, name: string) => doc.getElementsByTagNameNS(ns, name)[0];
  const P = 'urn:oasis:names:tc:SAML:2.0:protocol';
  const A = 'urn:oasis:names:tc:SAML:2.0:assertion';
  return {
    destination: root.getAttribute('Destination') ?? '',
    statusCode: first(P, 'StatusCode')?.getAttribute('Value') ?? '',
    nameId: first(A, 'NameID')?.textContent ?? undefined,
    assertionId: first(A, 'Assertion')?.getAttribute('ID') ?? undefined,
    formAction: page.html.querySelector('form')?.getAttribute('action') ?? '',
  };
}

export const SAML_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** Every audit line is one whole record of the default format: exactly its fields, no fragments. */
export function malformedAuditLines(lines: readonly string[][]): string[] {
  return lines
    .filter((fields) => fields.length !== DEFAULT_AUDIT_FIELDS.length)
    .map((fields) => fields.join('|'));
}

/** Strings a person (or an attacker) might type into a name or password field. */
export function typedText(known: readonly string[]): fc.Arbitrary<string> {
  const variants = known.flatMap((k) => [
    k,
    k.toUpperCase(),
    ` ${k} `,
    `${k}\u0000`,
    `${k}\u0000\u0000`,
    `${k}\t`,
    `${k} `,
    `${k}\u200B`,
    `${k}*`,
    `${k.slice(0, -1)}?`,
    [...k].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join(''), // fullwidth
    k.replace(/a/g, '\u0430').replace(/o/g, '\u043E').replace(/e/g, '\u0435'), // Cyrillic look-alikes
  ]);
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...variants) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        '*',
        '%',
        '\\',
        '()',
        'a,b',
        '<script>alert(1)</script>',
        "' OR '1'='1",
        '\u202Eadmin',
        'x'.repeat(300),
      ),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'binary' }) },
  );
}

const RESERVED_FIELD = /^(_eventId|csrf_token$|principal$|j_username$|j_password$|__proto__$)/;

/** Extra form fields and the button pressed: usually the expected one, sometimes not. */
export function formNoise(expectedButton: string, otherButtons: readonly string[]) {
  return fc.record({
    button: fc.oneof(
      { weight: 6, arbitrary: fc.constant(expectedButton) },
      { weight: 1, arbitrary: fc.constantFrom(...otherButtons, '', '_eventId_', '_eventId_x') },
    ),
    csrf: fc.oneof(
      { weight: 8, arbitrary: fc.constant('keep' as const) },
      { weight: 1, arbitrary: fc.constantFrom('drop' as const, 'alter' as const) },
    ),
    // Junk fields, never ones the forms define (those are what the properties vary on purpose).
    extra: fc
      .dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 }), {
        maxKeys: 3,
      })
      .map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !RESERVED_FIELD.test(k)))),
  });
}
