/**
 * Only a complete policy file, in plain UTF-8 text, is loaded: one that does not end with the end
 * marker ("# end of policy"), has rows after it, has a line that starts like it before the end, is
 * not UTF-8, or holds control or invisible formatting characters is refused — at start-up (the IdP
 * does not start) and on reload (the last good policies stay) — with file:line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../src/access/access-control.js';
import { ReloadableAccessControlService } from '../../src/access/reloadable-access-control.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { POLICY, policyConf, type PolicyConf } from './policy-conf.js';

const RP = 'https://sp.demo.example.org/shibboleth';
const ERIN_MAY = 'p, erin, *, *, impersonate, allow\n';
const NOT_ADMIN = 'p, *, admin, *, impersonate, deny\n';
const MARKER = '# end of policy\n';

let services: ReloadableAccessControlService[] = [];
afterEach(() => {
  for (const s of services) s.close();
  services = [];
});

async function start(conf: PolicyConf) {
  const service = await ReloadableAccessControlService.start({
    confDir: conf.confDir,
    lookup: () => undefined,
    log: conf.log,
    watch: false,
    signal: null,
  });
  services.push(service);
  return service;
}

function erinAs(service: ReloadableAccessControlService, resource: string): boolean {
  const request: AccessRequest = {
    subject: 'erin',
    attributes: {},
    relyingParty: RP,
    operation: 'impersonate',
    resource,
  };
  return service.getInstance(POLICY).checkAccess(request).allowed;
}

/** Loads the shipped-style good policy, writes `content` exactly, reloads: the result, and whether erin may be admin now. */
async function reloadWith(content: string | Buffer) {
  const conf = policyConf(ERIN_MAY + NOT_ADMIN);
  const service = await start(conf);
  expect(erinAs(service, 'admin')).toBe(false);
  conf.writeExactly(content);
  const result = await service.reload();
  return { result, erinAsAdmin: erinAs(service, 'admin'), service };
}

describe('the end marker', () => {
  it('keeps the IdP from starting when a policy file does not end with it', async () => {
    const conf = policyConf('');
    conf.writeExactly(ERIN_MAY + NOT_ADMIN);
    const err: unknown = await start(conf).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toBe(
      'conf/access-control/policy.csv:2: (end): the file does not end with the line "# end of policy", so it may be incomplete (a save that was interrupted or is still being written): a complete policy file ends with that line',
    );
  });

  it('keeps the last good policies when a save lost the last rows', async () => {
    const { result, erinAsAdmin } = await reloadWith(ERIN_MAY); // the deny row and the marker never reached the disk
    expect(result).toMatchObject({ ok: false, generation: 1 });
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^conf\/access-control\/policy\.csv:1: \(end\): the file does not end with the line "# end of policy"/,
      ),
    ]);
    expect(erinAsAdmin).toBe(false);
  });

  it('refuses rows after it (appended to a complete file)', async () => {
    const { result, erinAsAdmin } = await reloadWith(
      `${ERIN_MAY}${MARKER}${NOT_ADMIN.replace('deny', 'allow')}`,
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toContain(
      'conf/access-control/policy.csv:2: (end): "# end of policy" must be the last line, but line 3 follows it',
    );
    expect(erinAsAdmin).toBe(false);
  });

  it('refuses a line that starts like it before the end (a save cut right after it would look complete)', async () => {
    const { result } = await reloadWith(
      `${ERIN_MAY}# end of policy rows for erin\n${NOT_ADMIN}${MARKER}`,
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      'conf/access-control/policy.csv:2: (end): only the last line may start with "# end of policy" (a save cut short right there would look complete)',
    ]);
  });

  it('accepts it without a final line break, after blank lines, and in a CRLF file', async () => {
    for (const content of [
      `${ERIN_MAY}${NOT_ADMIN}# end of policy`,
      `${ERIN_MAY}${NOT_ADMIN}${MARKER}\n\n`,
      `${ERIN_MAY}${NOT_ADMIN}${MARKER}`.replace(/\n/g, '\r\n'),
    ]) {
      const { result, erinAsAdmin, service } = await reloadWith(content);
      expect(result).toMatchObject({ ok: true, generation: 2 });
      expect(erinAsAdmin).toBe(false);
      expect(erinAs(service, 'bob')).toBe(true);
    }
  });

  it('is required in the model file and in access-control.yaml too', async () => {
    for (const file of ['access-control/impersonation.model.conf', 'access-control.yaml']) {
      const conf = policyConf(ERIN_MAY + NOT_ADMIN);
      const service = await start(conf);
      const edited = path.join(conf.confDir, file);
      writeFileSync(edited, readFileSync(edited, 'utf8').replace(MARKER, ''));
      const result = await service.reload();
      expect(result.ok).toBe(false);
      expect(result.errors).toEqual([
        expect.stringMatching(
          new RegExp(
            `^conf/${file.replace('.', '\\.')}:\\d+: \\(end\\): the file does not end with the line`,
          ),
        ),
      ]);
    }
  });
});

describe('plain text', () => {
  it('refuses a file that is not UTF-8, rather than loading a deny row that can never match', async () => {
    const latin1 = Buffer.from(
      `${ERIN_MAY}p, *, jos\xe9, *, impersonate, deny\n${MARKER}`,
      'latin1',
    );
    const { result } = await reloadWith(latin1);
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      'conf/access-control/policy.csv:2: (encoding): is not UTF-8 text (saved as Latin-1 or another encoding?): save the file as UTF-8',
    ]);
  });

  it('refuses NUL bytes, which can merge rows into a comment (what a crash can leave behind)', async () => {
    // The line break after the comment and the first bytes of the deny row were lost to NULs.
    const { result, erinAsAdmin } = await reloadWith(
      `${ERIN_MAY}# protected accounts\0\0\0\0${NOT_ADMIN}${MARKER}`,
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      'conf/access-control/policy.csv:2: (text): has the control character U+0000 at column 21: policy files are plain text (save without a byte-order mark; remove the character)',
    ]);
    expect(erinAsAdmin).toBe(false);
  });

  it('refuses bidi overrides and other invisible characters, which make a file read differently from what it does', async () => {
    const { result } = await reloadWith(
      `${ERIN_MAY}p, *, \u202enimda, *, impersonate, deny\n${MARKER}`,
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      'conf/access-control/policy.csv:2: (text): has the invisible formatting character U+202E at column 7: policy files are plain text (save without a byte-order mark; remove the character)',
    ]);
  });

  it('refuses a byte-order mark', async () => {
    const { result } = await reloadWith(`\ufeff${ERIN_MAY}${NOT_ADMIN}${MARKER}`);
    expect(result.errors).toEqual([
      expect.stringContaining(
        'conf/access-control/policy.csv:1: (text): has a byte-order mark (U+FEFF) at column 1',
      ),
    ]);
  });
});
