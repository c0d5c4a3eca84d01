/** conf/messages.properties: the text of pages and error messages, by message key. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { parseProperties } from '../core/properties.js';

/** Reads `fileName` (messages.properties) from the configuration folder. */
export function loadMessages(confDir: string, fileName: string): Map<string, string> {
  const file = path.join(confDir, fileName);
  const label = path.join(path.basename(confDir), fileName);
  if (!existsSync(file)) throw new ConfigurationError(label, '(file)', 'file not found');
  return new Map([...parseProperties(readFileSync(file, 'utf8'), label)].map(([k, v]) => [k, v.value]));
}
