/**
 * An OIDC client's `metadataFile:` (RFC 7591 client metadata, JSON): its impersonation_max_level
 * is the cap the client declares for itself, the lower of it and the administrator's maxLevel
 * applies, and a file that is missing, not JSON, not an object, of another client or with a bad
 * value fails start-up with file:line and the key.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_MAX_LEVEL_FIELD } from '../../src/config/oidc-client-metadata.js';
import { effectiveMaxLevel } from '../../src/relying-party/rp-impersonation.js';
import { confWithRps, lineOf, loadFailure, loadRp } from '../support/rp-conf.js';

const CLIENT = 'staging-rp';
const FILE = 'clients/staging-rp.json';

/** A conf folder whose client oidcClients[1] names FILE (holding `json`, unless undefined). */
const withClientMetadata = (json: string | undefined, ...lines: string[]) =>
  confWithRps({
    oidc: [
      `  - clientId: ${CLIENT}`,
      '    clientSecret: a-staging-secret-of-some-length',
      '    redirectUris: ["https://staging.example.org/callback"]',
      `    metadataFile: ${FILE}`,
      ...lines.map((l) => `    ${l}`),
    ].join('\n'),
    files: json === undefined ? {} : { [FILE]: json },
  });

const registration = (fields: Record<string, unknown>) =>
  JSON.stringify(
    {
      client_name: 'Staging',
      redirect_uris: ['https://staging.example.org/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...fields,
    },
    null,
    2,
  );

/** The failure as the loader reports it, at the metadataFile key. */
const failureAt = (dir: string) =>
  `conf/relying-party.yaml:${lineOf(dir, 'metadataFile:')}: oidcClients[1].metadataFile: `;

describe('OIDC client metadataFile', () => {
  it('reads impersonation_max_level, and the lower of it and the administrator cap applies', () => {
    const declared = (level: string, ...lines: string[]) =>
      loadRp(
        withClientMetadata(registration({ [CLIENT_MAX_LEVEL_FIELD]: level }), ...lines),
        CLIENT,
      ).impersonation;
    expect(declared('identify')).toMatchObject({ declaredMaxLevel: 'identify' });
    expect(effectiveMaxLevel(declared('identify'))).toBe('identify');
    expect(effectiveMaxLevel(declared('delegate'))).toBe('impersonate');
    const trusted = 'impersonation: { maxLevel: delegate, trustedForDelegation: true }';
    expect(effectiveMaxLevel(declared('impersonate', trusted))).toBe('impersonate');
    expect(effectiveMaxLevel(declared('delegate', trusted))).toBe('delegate');
    expect(effectiveMaxLevel(declared('delegate', 'impersonation: { maxLevel: identify }'))).toBe(
      'identify',
    );
  });

  it('declares nothing without the field, and takes a matching client_id and a byte-order mark', () => {
    const plain = loadRp(withClientMetadata(registration({})), CLIENT).impersonation;
    expect(plain.declaredMaxLevel).toBeUndefined();
    expect(effectiveMaxLevel(plain)).toBe('impersonate');
    const dir = withClientMetadata(
      `\uFEFF${registration({ client_id: CLIENT, [CLIENT_MAX_LEVEL_FIELD]: 'identify' })}`,
    );
    expect(loadRp(dir, CLIENT).impersonation.declaredMaxLevel).toBe('identify');
  });

  it('refuses a file that is not JSON', () => {
    const dir = withClientMetadata('impersonation_max_level: identify\n');
    expect(loadFailure(dir)).toMatch(new RegExp(`^${escape(failureAt(dir))}is not JSON: `));
  });

  it.each([
    ['a list', '["identify"]'],
    ['a string', '"identify"'],
    ['null', 'null'],
  ])('refuses a JSON document that is %s, not an object', (_what, json) => {
    const dir = withClientMetadata(json);
    expect(loadFailure(dir)).toBe(
      `${failureAt(dir)}must hold a JSON object (RFC 7591 client metadata)`,
    );
  });

  it('refuses a value that is no level, naming the field', () => {
    const dir = withClientMetadata(registration({ [CLIENT_MAX_LEVEL_FIELD]: 'root' }));
    expect(loadFailure(dir)).toBe(
      `${failureAt(dir)}impersonation_max_level is "root"; must be one of identify, impersonate, delegate`,
    );
  });

  it.each([
    ['a number', 2],
    ['a list', ['identify']],
    ['null', null],
  ])('refuses a value that is %s', (_what, value) => {
    const dir = withClientMetadata(registration({ [CLIENT_MAX_LEVEL_FIELD]: value }));
    expect(loadFailure(dir)).toBe(`${failureAt(dir)}impersonation_max_level must be a string`);
  });

  it("refuses another client's document (client_id naming someone else)", () => {
    const dir = withClientMetadata(
      registration({ client_id: 'production-rp', [CLIENT_MAX_LEVEL_FIELD]: 'delegate' }),
    );
    expect(loadFailure(dir)).toBe(
      `${failureAt(dir)}describes client_id "production-rp", not "${CLIENT}"`,
    );
  });

  it('refuses a missing file, naming it', () => {
    const dir = withClientMetadata(undefined);
    expect(loadFailure(dir)).toBe(`${failureAt(dir)}file not found: ${path.join(dir, FILE)}`);
  });

  it('refuses a folder in place of the file with the key, not as a bare I/O error', () => {
    const dir = withClientMetadata(undefined);
    mkdirSync(path.join(dir, FILE), { recursive: true });
    expect(loadFailure(dir)).toBe(`${failureAt(dir)}cannot read ${path.join(dir, FILE)}: EISDIR`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
