/**
 * Runs the policy CLI for real, as a child process (node --import tsx src/cli/policy.ts), from the
 * project folder, with IDP_HOME pointing at a fresh folder unless the caller names one, so a
 * developer's own data/idp.db never changes what a test sees.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { END_MARKER } from '../../src/access/policy-text.js';
import { DEFAULT_CONF_DIR, PROJECT_ROOT } from '../../src/core/paths.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runPolicy(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const cleanEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('IDP_') && !k.startsWith('DEMO_')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli/policy.ts'), ...args],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...cleanEnv,
          IDP_HOME: mkdtempSync(path.join(tmpdir(), 'policy-cli-home-')),
          ...env,
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** A copy of the shipped configuration folder to break or enlarge. */
export function confCopy(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'policy-cli-conf-')), 'conf');
  cpSync(DEFAULT_CONF_DIR, dir, { recursive: true });
  return dir;
}

/** Adds rows to a policy file the way an admin does: above its end marker, so the file stays complete. */
export function addRows(file: string, rows: string): void {
  const text = readFileSync(file, 'utf8');
  const at = text.lastIndexOf(END_MARKER);
  if (at === -1) throw new Error(`${file} has no end marker`);
  writeFileSync(file, `${text.slice(0, at)}${rows}${text.slice(at)}`);
}
