/** Files a configuration key names (a certificate, a metadata document), read with the key's errors. */
import { existsSync, readFileSync } from 'node:fs';
import type { ConfNode } from '../core/yaml-conf.js';
import { toPem } from '../relying-party/sp-metadata.js';

/**
 * The file's text; a missing file, or one that cannot be read (a folder, no permission), fails
 * with the key rather than as a bare I/O error.
 */
export function readText(node: ConfNode, key: string, file: string): string {
  if (!existsSync(file)) node.fail(`file not found: ${file}`, key);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    return node.fail(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      key,
    );
  }
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
