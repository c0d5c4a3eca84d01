/**
 * conf/messages.properties: the text of pages and error messages, by message key. A key without a
 * dot gives an event another message key ("AccessDenied = some-key"): it must name an event of the
 * IdP (src/core/events.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { IDP_EVENTS, isIdpEvent } from '../core/events.js';
import { parseProperties } from '../core/properties.js';
import { closest } from './suggestions.js';

/** Reads `fileName` (messages.properties) from the configuration folder. */
export function loadMessages(confDir: string, fileName: string): Map<string, string> {
  const file = path.join(confDir, fileName);
  const label = path.join(path.basename(confDir), fileName);
  if (!existsSync(file)) throw new ConfigurationError(label, '(file)', 'file not found');
  const entries = parseProperties(readFileSync(file, 'utf8'), label);
  for (const [key, entry] of entries) {
    if (key.includes('.') || isIdpEvent(key)) continue;
    const hint = closest(key, IDP_EVENTS);
    throw new ConfigurationError(
      entry.source,
      key,
      `unknown event${hint ? ` (did you mean ${hint}?)` : ''}`,
    );
  }
  return new Map([...entries].map(([k, v]) => [k, v.value]));
}
