/**
 * A throw-away configuration folder holding access-control.yaml, the shipped impersonation model
 * and one policy file, for tests that edit policies and reload them; plus a real process log to
 * read back. Policy rows are written as complete files (ending with the end marker) unless a
 * test writes the exact bytes.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { END_MARKER } from '../../src/access/policy-text.js';
import { createProcessLog, type ProcessLog } from '../../src/logging/process-log.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';

export const POLICY = 'SpecificImpersonationPolicy';

export interface PolicyConf {
  readonly confDir: string;
  readonly policyFile: string;
  readonly log: ProcessLog;
  /** Replaces the policy file in place with these rows, as a complete file. */
  write(rows: string): void;
  /** Replaces the policy file the way editors do — a new file renamed over the old one — with these rows, complete. */
  replace(rows: string): void;
  /** Replaces the policy file in place with exactly these bytes (no end marker added). */
  writeExactly(content: string | Buffer): void;
  /** The process log so far. */
  logText(): string;
}

export function policyConf(csv: string): PolicyConf {
  const home = mkdtempSync(path.join(tmpdir(), 'policy-conf-'));
  const confDir = path.join(home, 'conf');
  mkdirSync(path.join(confDir, 'access-control'), { recursive: true });
  copyFileSync(
    path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'),
    path.join(confDir, 'access-control/impersonation.model.conf'),
  );
  const policyFile = path.join(confDir, 'access-control/policy.csv');
  writeFileSync(policyFile, complete(csv));
  writeFileSync(
    path.join(confDir, 'access-control.yaml'),
    `policies:\n  ${POLICY}:\n    model: access-control/impersonation.model.conf\n    policy: access-control/policy.csv\n${END_MARKER}\n`,
  );
  const logFile = path.join(home, 'process.log');
  return {
    confDir,
    policyFile,
    log: createProcessLog({
      file: logFile,
      fileLevel: 'DEBUG',
      consoleLevel: 'ERROR',
      console: false,
    }),
    write: (rows) => writeFileSync(policyFile, complete(rows)),
    replace(rows) {
      const temp = `${policyFile}.tmp`;
      writeFileSync(temp, complete(rows));
      renameSync(temp, policyFile);
    },
    writeExactly: (content) => writeFileSync(policyFile, content),
    logText: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
  };
}

/** A complete policy file: the rows, then the end marker (unless they end with it already). */
function complete(rows: string): string {
  if (rows.trimEnd().endsWith(END_MARKER)) return rows;
  return `${rows}${rows === '' || rows.endsWith('\n') ? '' : '\n'}${END_MARKER}\n`;
}

/** Polls until `condition` holds (the file watcher, the signal and the log all act later). */
export async function eventually(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
