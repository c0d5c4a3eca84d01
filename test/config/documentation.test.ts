/** The configuration reference must describe every property the defaults module defines. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { propertyDefinitions } from '../../src/config/defaults.js';
import { CONF_FILES } from '../../src/config/load-configuration.js';
import { PROJECT_ROOT } from '../../src/core/paths.js';

const reference = readFileSync(path.join(PROJECT_ROOT, 'docs', 'configuration.md'), 'utf8');
const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

describe('docs/configuration.md', () => {
  it.each(propertyDefinitions().map((d) => [d.key, d]))(
    'documents %s with its variable and default',
    (_key, def) => {
      const row = reference.split('\n').find((l) => l.startsWith(`| \`${def.key}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(`\`${def.env}\``);
      // An empty default (an optional property) is written *(empty)*, not an empty code span.
      expect(row).toContain(def.default === '' ? '| *(empty)* |' : `\`${def.default}\``);
    },
  );

  it.each(Object.values(CONF_FILES))('describes %s', (file) => {
    expect(reference).toContain(`## ${file}`);
    expect(readme).toContain(`conf/${file}`);
  });
});

describe('README', () => {
  it('keeps the two set-up commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
