/** The installed IdP's folders, found from the module's own location. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONF_DIR, PROJECT_ROOT, VIEWS_DIR } from '../../src/core/paths.js';

describe('paths', () => {
  it('finds the project root: the folder of this package', () => {
    expect(PROJECT_ROOT).toBe(
      path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'),
    );
    expect(
      (
        JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
          name: string;
        }
      ).name,
    ).toBe('idp-impersonate');
  });

  it('finds the views and the shipped configuration under it', () => {
    expect(VIEWS_DIR).toBe(path.join(PROJECT_ROOT, 'views'));
    expect(existsSync(path.join(VIEWS_DIR, 'error.ejs'))).toBe(true);
    expect(DEFAULT_CONF_DIR).toBe(path.join(PROJECT_ROOT, 'conf'));
    expect(existsSync(path.join(DEFAULT_CONF_DIR, 'idp.properties'))).toBe(true);
  });
});
