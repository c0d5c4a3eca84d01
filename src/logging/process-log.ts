/**
 * The process (operational) log, on winston: a file (idp-process.log) and standard output, each
 * with its own level. Lines look like logback's: time - LEVEL [category] - message. Every message
 * is passed through safeForLog so a value typed by a user cannot start a new log line.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import winston from 'winston';

export interface ProcessLog {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  child(category: string): ProcessLog;
  close(): Promise<void>;
}

const LEVELS: Record<string, string> = {
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
};

export function createProcessLog(options: {
  file: string;
  fileLevel: string;
  consoleLevel: string;
  console?: boolean;
}): ProcessLog {
  mkdirSync(path.dirname(options.file), { recursive: true });
  const line = winston.format.printf((info) => {
    const category = typeof info.category === 'string' ? info.category : 'idp';
    return `${String(info.timestamp)} - ${info.level.toUpperCase()} [${category}] - ${safeForLog(String(info.message))}`;
  });
  const transports: winston.transport[] = [
    new winston.transports.File({
      filename: options.file,
      level: LEVELS[options.fileLevel] ?? 'info',
    }),
  ];
  if (options.console !== false) {
    transports.push(
      new winston.transports.Console({ level: LEVELS[options.consoleLevel] ?? 'info' }),
    );
  }
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(winston.format.timestamp(), line),
    transports,
  });
  return wrap(logger, logger);
}

function wrap(root: winston.Logger, logger: winston.Logger): ProcessLog {
  return {
    error: (m) => logger.error(m),
    warn: (m) => logger.warn(m),
    info: (m) => logger.info(m),
    debug: (m) => logger.debug(m),
    child: (category) => wrap(root, root.child({ category })),
    close: () =>
      new Promise<void>((resolve) => {
        root.on('finish', () => resolve());
        root.end();
      }),
  };
}

/**
 * Escapes line breaks, other control characters (ESC, NUL, …), invisible formatting characters
 * (bidi overrides, zero-width characters) and lone surrogates as \n, \u001b, \u202e …, so a value
 * can neither start a new line nor hide, reorder or recolour text wherever it is shown: a log
 * line, a terminal, a web page. Escaping twice changes nothing.
 */
export function safeForLog(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Cf}\p{Cs}]/gu, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    const code = ch.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Text of several lines for a terminal: each line made safe (safeForLog), the line breaks kept. */
export function safeLines(text: string): string {
  return text.split('\n').map(safeForLog).join('\n');
}

/** A user-supplied value quoted for a log line, as Shibboleth's messages quote them: 'value'. */
export function quoted(value: string): string {
  return `'${safeForLog(value).replace(/'/g, "\\'")}'`;
}
