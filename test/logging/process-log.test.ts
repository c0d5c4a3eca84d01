/**
 * What reaches a log line, a terminal or a page is escaped: line breaks, control characters (ESC
 * sequences, NUL), invisible formatting characters (bidi overrides, zero-width) and lone
 * surrogates become \n, \u001b, \u202e … — so a value can neither add a log line nor hide,
 * reorder or recolour text — and escaping twice changes nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyErrors } from '../../src/access/policy-errors.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { inNewTransaction, inTransaction } from '../../src/core/transaction.js';
import { createProcessLog, safeForLog, safeLines } from '../../src/logging/process-log.js';

describe('safeForLog', () => {
  it.each([
    ['a\nb\r\tc', 'a\\nb\\r\\tc'],
    ['\x1b[31mred\x1b[0m', '\\u001b[31mred\\u001b[0m'],
    ['nul\0', 'nul\\u0000'],
    ['\u202eevil\u2066', '\\u202eevil\\u2066'],
    ['zero\u200bwidth\ufeff', 'zero\\u200bwidth\\ufeff'],
    ['line\u2028para\u2029', 'line\\u2028para\\u2029'],
    ['c1\u0085\u009b', 'c1\\u0085\\u009b'],
    ['lone\ud800surrogate', 'lone\\ud800surrogate'],
    ['tag\u{e0041}', 'tag\\u{e0041}'],
    ['josé ✓ 𝔘 ok', 'josé ✓ 𝔘 ok'],
  ])('%j → %j', (raw, escaped) => {
    expect(safeForLog(raw)).toBe(escaped);
    expect(safeForLog(escaped)).toBe(escaped);
  });

  it('safeLines keeps the line breaks and escapes the rest', () => {
    expect(safeLines('one\x1b[2J\ntwo\u202e')).toBe('one\\u001b[2J\ntwo\\u202e');
  });
});

describe('access-control problems', () => {
  it('are printable, whatever a file held', () => {
    const errors = new PolicyErrors([
      new ConfigurationError(
        'conf/x.csv:3',
        '\x1b[31mq',
        'unknown policy type "\x1b[31mq\u202e\0"',
      ),
      new ConfigurationError('conf/x.csv:4', 'p', 'fine'),
    ]);
    expect(errors.problems.map((p) => p.message)).toEqual([
      'conf/x.csv:3: \\u001b[31mq: unknown policy type "\\u001b[31mq\\u202e\\u0000"',
      'conf/x.csv:4: p: fine',
    ]);
    expect(errors.message).toBe(
      'conf/x.csv:3: \\u001b[31mq: unknown policy type "\\u001b[31mq\\u202e\\u0000"\nconf/x.csv:4: p: fine',
    );
    expect(
      PolicyErrors.of(
        new ConfigurationError('conf/y.yaml:1', 'policies.\u202eX', 'unknown key'),
      ).map((p) => p.message),
    ).toEqual(['conf/y.yaml:1: policies.\\u202eX: unknown key']);
  });
});

describe('the process log', () => {
  it('writes one escaped line per message, in the file and on the console', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'process-log-')), 'idp-process.log');
    const log = createProcessLog({
      file,
      fileLevel: 'DEBUG',
      consoleLevel: 'ERROR',
      console: false,
    });
    log
      .child('net.shibboleth.idp.access')
      .error('not reloaded: conf/x.csv:3: \x1b[31mq\u202e\0\nFAKE - INFO - forged line');
    await log.close();
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      / - ERROR \[net\.shibboleth\.idp\.access\] - not reloaded: conf\/x\.csv:3: \\u001b\[31mq\\u202e\\u0000\\nFAKE - INFO - forged line$/,
    );
  });

  it('carries the transaction id of the request or job it is written for, "-" outside any', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'process-log-')), 'idp-process.log');
    const log = createProcessLog({
      file,
      fileLevel: 'INFO',
      consoleLevel: 'ERROR',
      console: false,
    });
    const idp = log.child('net.shibboleth.idp');
    idp.info('starting');
    await inTransaction('AbCdEfGhIjKlMnOp', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5)); // across an await
      idp.warn('in a request');
    });
    inNewTransaction(() => idp.info('in a job'));
    await log.close();
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^\S+ - - - INFO \[net\.shibboleth\.idp\] - starting$/);
    expect(lines[1]).toMatch(
      /^\S+ - AbCdEfGhIjKlMnOp - WARN \[net\.shibboleth\.idp\] - in a request$/,
    );
    expect(lines[2]).toMatch(
      /^\S+ - [A-Za-z0-9_-]{16} - INFO \[net\.shibboleth\.idp\] - in a job$/,
    );
  });
});
