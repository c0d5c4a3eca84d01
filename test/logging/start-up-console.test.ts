/**
 * `npm start` on a configuration the IdP refuses prints the problem on the console — escaped, like
 * the process log: a configuration file's raw bytes (ESC sequences, bidi overrides, NUL) never
 * reach the terminal.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONF_DIR, PROJECT_ROOT } from '../../src/core/paths.js';

function start(confDir: string, home: string): Promise<{ code: number; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('IDP_') && !k.startsWith('DEMO_')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/main.ts')],
      { cwd: PROJECT_ROOT, env: { ...env, IDP_CONF_DIR: confDir, IDP_HOME: home, IDP_PORT: '0' } },
      (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
    );
  });
}

describe('a configuration error at start-up', () => {
  it('is printed escaped', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'start-up-console-'));
    const confDir = path.join(home, 'conf');
    cpSync(DEFAULT_CONF_DIR, confDir, { recursive: true });
    const file = path.join(confDir, 'relying-party.yaml');
    writeFileSync(file, `"\x1b[31mred\u202eevil\x07": 1\n${readFileSync(file, 'utf8')}`);
    const run = await start(confDir, home);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'Configuration error: conf/relying-party.yaml:1: \\u001b[31mred\\u202eevil\\u0007: unknown key',
    );
    expect(run.stderr).not.toMatch(/(?!\n)[\p{Cc}\p{Cf}]/u);
  }, 60_000);
});
