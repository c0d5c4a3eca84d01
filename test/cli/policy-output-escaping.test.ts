/**
 * Nothing the policy CLI prints can drive the terminal: bytes from a broken policy file (ESC
 * sequences, bidi overrides, NUL, invalid UTF-8) and whatever a running IdP answers are printed
 * escaped (\u001b, \u202e …), never raw.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confCopy, runPolicy } from './run-policy.js';

/** Control characters but the line break, invisible formatting characters, lone surrogates. */
const RAW = /(?!\n)[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const EVIL = '\x1b[31mred\x1b]0;owned\x07\u202eevil\0nul';

function rawLines(output: string): string[] {
  return output.split('\n').filter((l) => RAW.test(l));
}

describe('policy validate on files with raw bytes', () => {
  it('prints every problem escaped', async () => {
    const conf = confCopy();
    const general = path.join(conf, 'access-control/general-impersonation.policy.csv');
    writeFileSync(
      general,
      readFileSync(general, 'utf8').replace(
        'g, erin, role:helpdesk',
        `${EVIL}, erin, role:helpdesk`,
      ),
    );
    const specific = path.join(conf, 'access-control/specific-impersonation.policy.csv');
    writeFileSync(
      specific,
      Buffer.concat([
        Buffer.from('p, \xff\xfe, *, *, impersonate, allow\n', 'latin1'),
        readFileSync(specific),
      ]),
    );
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run.code).toBe(1);
    expect(rawLines(run.stderr + run.stdout)).toEqual([]);
    expect(run.stderr).toContain(
      'general-impersonation.policy.csv:11: (text): has the control character U+001B at column 1',
    );
    expect(run.stderr).toContain(
      'specific-impersonation.policy.csv:1: (encoding): is not UTF-8 text',
    );
  });
});

describe('what a running IdP answers', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // An IdP (another version, or not an IdP at all) whose answers hold raw control characters.
    server = createServer((req, res) => {
      const body =
        req.method === 'POST'
          ? {
              ok: false,
              generation: 7,
              trigger: 'api',
              at: EVIL,
              durationMs: 1,
              errors: [`conf/x.csv:1: ${EVIL}`],
            }
          : {
              generation: 7,
              loadedAt: EVIL,
              loadMs: 1,
              policies: [
                {
                  name: `Policy${EVIL}`,
                  declaredAt: EVIL,
                  modelFile: EVIL,
                  policyFile: EVIL,
                  rules: { p: 1 },
                  indexed: false,
                  note: EVIL,
                  indexedTerms: [],
                  buildMs: 1,
                },
              ],
              sourceFiles: [EVIL],
              watching: true,
              lastReload: {
                ok: false,
                trigger: 'api',
                at: EVIL,
                durationMs: 1,
                generation: 7,
                errors: [EVIL],
              },
              warnings: [EVIL],
            };
      res
        .writeHead(req.method === 'POST' ? 422 : 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([[['status', '--url']], [['status', '--json', '--url']], [['reload', '--url']]])(
    'policy %j prints it escaped',
    async (args) => {
      const run = await runPolicy([...args, url]);
      expect(rawLines(run.stdout + run.stderr)).toEqual([]);
      expect(run.stdout + run.stderr).toContain('\\u001b[31mred');
      expect(run.stdout + run.stderr).toContain('\\u202eevil');
    },
  );
});
