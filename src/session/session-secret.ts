/** Secrets kept in files (cookie signing keys): read, or generated there on first start. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';

export function loadSecret(file: string, property: string): string {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32)
    throw new ConfigurationError(
      'idp.properties',
      property,
      `${file} holds fewer than 32 characters`,
    );
  return secret;
}
