/**
 * The OpenID Provider's signing keys: a private JWK set in a file (idp.oidc.keysFile). When the file
 * is missing, an RS256 and an ES256 key are generated into it (with a warning): the provider never
 * runs on oidc-provider's built-in development keys.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigurationError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';

export interface PrivateJwks {
  readonly keys: JWK[];
}

export async function loadOidcSigningKeys(file: string, log: ProcessLog): Promise<PrivateJwks> {
  if (!existsSync(file)) {
    log.warn(`No OpenID Provider signing keys at ${file}; generating DEMO keys. Install real keys before production use.`);
    const keys: JWK[] = [];
    for (const alg of ['RS256', 'ES256'] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
      const jwk = await exportJWK(privateKey);
      keys.push({ ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) });
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  }
  let jwks: unknown;
  try {
    jwks = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigurationError('idp.properties', 'idp.oidc.keysFile', `${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const keys = (jwks as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k !== null && 'd' in k)) {
    throw new ConfigurationError('idp.properties', 'idp.oidc.keysFile', `${file} must be a JWK set of private keys ({"keys": [...]})`);
  }
  return { keys: keys as JWK[] };
}
