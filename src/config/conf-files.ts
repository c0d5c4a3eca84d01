/** Files a configuration key names (a certificate, a metadata document), read with the key's errors. */
import { existsSync, readFileSync } from 'node:fs';
import type { ConfNode } from '../core/yaml-conf.js';
import { toPem } from '../relying-party/sp-metadata.js';

export function readText(node: ConfNode, key: string, file: string): string {
  if (!existsSync(file)) node.fail(`file not found: ${file}`, key);
  return readFileSync(file, 'utf8');
}

export function readPem(node: ConfNode, key: string, file: string): string {
  const text = readText(node, key, file);
  if (!text.includes('-----BEGIN CERTIFICATE-----')) node.fail('is not a PEM certificate', key);
  try {
    return toPem(text);
  } catch (err) {
    return node.fail((err as Error).message, key);
  }
}
