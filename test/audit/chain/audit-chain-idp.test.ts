/**
 * The audit chain in a running IdP: a real SAML sign-in is sealed into the chain between the start
 * record and the shutdown checkpoint, signed with the generated audit key; start-up refuses what
 * would leave the trail unsigned or unreadable; with the chain off the lines are as before.
 */
import { createPublicKey, verify } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChainLine } from '../../../src/audit/chain/audit-chain.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../../src/core/paths.js';
import { createIdp } from '../../../src/idp.js';
import { Browser } from '../../support/browser.js';
import { startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { hasSamlResponse, TestSp } from '../../support/test-sp.js';
import { det, expectChained, fieldsOf } from './chain-support.js';

async function signIn(t: TestIdp, user: string) {
  const sp = await TestSp.create(t.baseURL);
  const browser = new Browser();
  const page = await browser.get(await sp.loginURL());
  return browser.submit(page, { j_username: user, j_password: `demo-${user}` }, '_eventId_proceed');
}

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** The error createIdp fails with on a fresh home, `prepare`d first. */
async function startUpFailure(
  properties: (home: string) => Record<string, string>,
  prepare: (home: string) => void = () => undefined,
): Promise<ConfigurationError> {
  const home = mkdtempSync(path.join(tmpdir(), 'idp-chain-'));
  homes.push(home);
  prepare(home);
  const confDir = existsSync(path.join(home, 'conf')) ? path.join(home, 'conf') : undefined;
  const overrides = properties(home);
  const err = await createIdp({ home, confDir, env: {}, console: false, overrides }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigurationError);
  return err as ConfigurationError;
}

describe('audit chain in the IdP', () => {
  it('seals a sign-in between the start record and a signed shutdown checkpoint', async () => {
    const t = await startTestIdp();
    const page = await signIn(t, 'dave');
    expect(hasSamlResponse(page)).toBe(true);
    const released = t.auditRecords();
    expect(released.at(-1)).toHaveLength(29);
    expect(released.every((r) => r[24] !== 'Audit')).toBe(true);
    expect(t.processLog()).toMatch(/WARN .*No audit signing key/);
    const { auditFile } = t.idp.config.properties.logs;
    const publicKey = createPublicKey(
      readFileSync(path.join(t.home, 'credentials', 'idp-audit.pub')),
    );
    await t.idp.close();
    const lines = readFileSync(auditFile, 'utf8').trimEnd().split('\n');
    rmSync(t.home, { recursive: true, force: true });
    expectChained(lines);
    expect(lines.slice(0, 2).map((l) => fieldsOf(l).act)).toEqual(['open', 'start']);
    // The release record (its %act is coverage's work, not the chain's).
    expect(lines.some((l) => fieldsOf(l).u === 'dave' && fieldsOf(l).P !== 'Audit')).toBe(true);
    const last = lines.at(-1)!;
    expect(fieldsOf(last)).toMatchObject({ P: 'Audit', act: 'checkpoint' });
    expect(det(last, 'reason')).toBe('shutdown');
    const covered = parseChainLine(lines.at(-2)!)!;
    const payload = `idp-audit-checkpoint|${covered.seq}|${covered.hash.toString('base64url')}`;
    expect(det(last, 'covers')).toBe(String(covered.seq));
    expect(
      verify(null, Buffer.from(payload), publicKey, Buffer.from(det(last, 'sig')!, 'base64url')),
    ).toBe(true);
  });

  it('writes the lines exactly as the format says with idp.audit.chain.enabled = false', async () => {
    const t = await startTestIdp({ properties: { 'idp.audit.chain.enabled': 'false' } });
    try {
      await signIn(t, 'dave');
      const lines = t.rawAuditLines();
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.split('|')).toHaveLength(29);
        expect(parseChainLine(line)).toBeUndefined();
      }
      expect(t.auditRecords()).toEqual(lines.map((l) => l.split('|')));
    } finally {
      await t.close();
    }
  });

  it('refuses to start when the format lacks %det with the chain on, naming conf/audit.yaml', async () => {
    const err = await startUpFailure(
      () => ({}),
      (home) => {
        cpSync(DEFAULT_CONF_DIR, path.join(home, 'conf'), { recursive: true });
        const audit = path.join(home, 'conf', 'audit.yaml');
        writeFileSync(
          audit,
          readFileSync(audit, 'utf8').replace('|%act|%det|%node"', '|%act|%node"'),
        );
      },
    );
    expect(err.file).toContain('audit.yaml');
    expect(err.key).toBe('format');
    expect(err.message).toContain('%det');
  });

  it('refuses to start when the audit key cannot be written', async () => {
    const err = await startUpFailure(
      (home) => ({
        'idp.audit.signing.key': path.join(home, 'not-a-folder', 'idp-audit.key'),
      }),
      (home) => writeFileSync(path.join(home, 'not-a-folder'), 'a file'),
    );
    expect(err.key).toBe('idp.audit.signing.key');
    expect(err.message).toContain('cannot write');
  });

  it('refuses to start when the audit key cannot be read', async () => {
    const err = await startUpFailure(
      (home) => ({ 'idp.audit.signing.key': path.join(home, 'key-folder') }),
      (home) => {
        mkdirSync(path.join(home, 'key-folder'));
        mkdirSync(path.join(home, 'credentials'));
        writeFileSync(path.join(home, 'credentials', 'idp-audit.pub'), 'x');
      },
    );
    expect(err.key).toBe('idp.audit.signing.key');
    expect(err.message).toContain('cannot read');
  });

  it('refuses to start with one file of the audit key pair missing', async () => {
    const err = await startUpFailure(
      () => ({}),
      (home) => {
        mkdirSync(path.join(home, 'credentials'));
        writeFileSync(path.join(home, 'credentials', 'idp-audit.pub'), 'x');
      },
    );
    expect(err.key).toBe('idp.audit.signing.key');
    expect(err.message).toContain('file not found');
  });

  it.each([
    ['idp.audit.rotate.maxSize', '100', 'at least 1024'],
    ['idp.audit.checkpoint.records', '0', 'between 1 and'],
    ['idp.audit.rotate.maxHistory', '99999', 'between 0 and'],
  ])('refuses %s = %s, naming the property', async (key, value, problem) => {
    const err = await startUpFailure(() => ({ [key]: value }));
    expect(err.key).toBe(key);
    expect(err.message).toContain(problem);
  });
});
