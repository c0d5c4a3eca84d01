/** A ProcessLog that keeps its lines, for tests of what the credential loaders warn about. */
import type { ProcessLog } from '../../src/logging/process-log.js';

export interface CapturedLog extends ProcessLog {
  readonly lines: string[];
}

export function captureLog(lines: string[] = []): CapturedLog {
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return {
    lines,
    error: at('ERROR'),
    warn: at('WARN'),
    info: at('INFO'),
    debug: at('DEBUG'),
    child: () => captureLog(lines),
    close: () => Promise.resolve(),
  };
}
