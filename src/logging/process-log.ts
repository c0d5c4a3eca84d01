/**
 * The process (operational) log, on winston: a file (idp-process.log) and standard output, each
 * with its own level. Lines look like Shibboleth's logback pattern, with the transaction id where
 * Shibboleth puts its MDC value: time - tx - LEVEL [category] - message. tx is the id of the
 * request or background job the line was written for (src/core/transaction.ts; the audit
 * records' %tx), "-" outside any (start-up, shutdown). Every message is passed through safeForLog
 * so a value typed by a user cannot start a new log line.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { currentTransactionId } from '../core/transaction.js';

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
    const tx = typeof info.tx === 'string' ? info.tx : '-';
    return `${String(info.timestamp)} - ${tx} - ${info.level.toUpperCase()} [${category}] - ${safeForLog(String(info.message))}`;
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
  // The transaction is read when the line is written, not when winston formats it (later, maybe
  // in another async context).
  const at = () => ({ tx: currentTransactionId() });
  return {
    error: (m) => logger.error(m, at()),
    warn: (m) => logger.warn(m, at()),
    info: (m) => logger.info(m, at()),
    debug: (m) => logger.debug(m, at()),
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
