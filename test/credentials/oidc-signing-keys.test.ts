/**
 * The OpenID Provider's signing keys (idp.oidc.keysFile): RS256 and ES256 keys are generated, with
 * a warning, when the file is missing, and kept; a file that is not JSON or not a set of private
 * JWKs stops the IdP with an error naming the property and the file.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { loadOidcSigningKeys } from '../../src/credentials/oidc-signing-keys.js';
import { captureLog } from './log-capture.js';

const keysFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'oidc-keys-')), 'credentials', 'oidc-signing-keys.json');

/** A keys file holding the given content (JSON text or a value to write as JSON). */
function written(content: unknown): string {
  const file = keysFile();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Keys generated into a missing file once (generating RSA keys is slow), with what was logged. */
let generatedFile: string;
let generated: JWK[];
let generationLog: string[];

async function failure(promise: Promise<unknown>): Promise<ConfigurationError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw err;
  }
  throw new Error('no configuration error');
}

describe('loadOidcSigningKeys', () => {
  beforeAll(async () => {
    generatedFile = keysFile();
    const log = captureLog();
    generated = (await loadOidcSigningKeys(generatedFile, log)).keys;
    generationLog = log.lines;
  });

  it('generates an RS256 and an ES256 private key when the file is missing, warns, and keeps them', async () => {
    const file = generatedFile;
    const keys = generated;
    expect(existsSync(path.dirname(path.dirname(file)))).toBe(true);
    expect(generationLog).toEqual([`WARN No OpenID Provider signing keys at ${file}; generating DEMO keys. Install real keys before production use.`]);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keys.map((k) => [k.alg, k.kty, k.use])).toEqual([
      ['RS256', 'RSA', 'sig'],
      ['ES256', 'EC', 'sig'],
    ]);
    for (const key of keys) {
      expect(key.d).toEqual(expect.any(String));
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, alg: _alg, use: _use, kid, ...publicPart } = key;
      expect(kid).toBe(await calculateJwkThumbprint(publicPart));
    }

    const againLog = captureLog();
    const again = await loadOidcSigningKeys(file, againLog);
    expect(again.keys).toEqual(keys);
    expect(againLog.lines).toEqual([]);
  });

  it('gives keys that sign: a signature by each verifies with its public part', async () => {
    for (const jwk of generated) {
      const alg = jwk.alg!;
      const jws = await new CompactSign(new TextEncoder().encode('payload')).setProtectedHeader({ alg, kid: jwk.kid }).sign(await importJWK(jwk, alg));
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
      const { payload } = await compactVerify(jws, await importJWK(publicJwk, alg));
      expect(new TextDecoder().decode(payload)).toBe('payload');
    }
  });

  it('loads an installed key set as it is, without a warning', async () => {
    const installed = written({ keys: [generated[1]] });
    const log = captureLog();
    expect((await loadOidcSigningKeys(installed, log)).keys).toEqual([generated[1]]);
    expect(log.lines).toEqual([]);
    expect(readFileSync(installed, 'utf8')).toBe(JSON.stringify({ keys: [generated[1]] }));
  });

  it('refuses a file that is not JSON, naming the property and the file', async () => {
    const file = written('{"keys": [');
    const err = await failure(loadOidcSigningKeys(file, captureLog()));
    expect(err.file).toBe('idp.properties');
    expect(err.key).toBe('idp.oidc.keysFile');
    expect(err.message).toMatch(new RegExp(`^idp\\.properties: idp\\.oidc\\.keysFile: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not JSON: `));
  });

  it.each([
    ['an empty key set', { keys: [] }],
    ['no key set at all', { other: 1 }],
    ['keys that are not a list', { keys: { kty: 'RSA' } }],
    ['a JSON list', []],
    ['a JSON number', 5],
  ])('refuses %s', async (_what, content) => {
    const file = written(content);
    const err = await failure(loadOidcSigningKeys(file, captureLog()));
    expect(err.key).toBe('idp.oidc.keysFile');
    expect(err.message).toBe(`idp.properties: idp.oidc.keysFile: ${file} must be a JWK set of private keys ({"keys": [...]})`);
  });

  it('refuses a set with a public key among the private ones (it could not sign)', async () => {
    const { d: _d, ...publicOnly } = generated[1]!;
    const file = written({ keys: [generated[0], publicOnly] });
    const err = await failure(loadOidcSigningKeys(file, captureLog()));
    expect(err.message).toMatch(/must be a JWK set of private keys/);
  });
});
