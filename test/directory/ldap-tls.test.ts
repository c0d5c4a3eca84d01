/**
 * The LDAP directory over TLS, against a real slapd serving a certificate for 127.0.0.1: LDAPS
 * and StartTLS both check the password only once the server has proved who it is with a
 * certificate from idp.authn.LDAP.trustCertificates; a server the IdP cannot verify gets no
 * password, and the failure is DIRECTORY_FAILED, not a login refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LdapUserDirectory } from '../../src/directory/ldap-user-directory.js';
import { directoryFailure, ldapDirectory } from '../support/ldap-directory.js';
import { startSlapd, type Slapd } from '../support/slapd.js';
import { serversAvailable } from '../support/system-servers.js';

let slapd: Slapd;
const opened: LdapUserDirectory[] = [];

function directory(properties: Record<string, string>): LdapUserDirectory {
  return ldapDirectory(slapd, { 'idp.authn.LDAP.connectTimeout': 'PT2S', ...properties }, opened);
}

/** A certificate for the same address that the server does not hold: the wrong one to trust. */
async function otherCertificate(): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'other-ca-')), 'other.pem');
  writeFileSync(file, pems.cert);
  return file;
}

describe.runIf(serversAvailable('slapd'))('LdapUserDirectory over TLS', () => {
  beforeAll(async () => {
    slapd = await startSlapd({ tls: true });
  });
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await slapd?.close();
  });

  const variants = () => ({
    ldaps: { 'idp.authn.LDAP.ldapURL': slapd.tls!.ldapsURL },
    startTLS: { 'idp.authn.LDAP.ldapURL': slapd.url, 'idp.authn.LDAP.useStartTLS': 'true' },
  });

  for (const name of ['ldaps', 'startTLS'] as const) {
    it(`${name}: checks the password once the server's certificate is the trusted one`, async () => {
      const d = directory({
        ...variants()[name],
        'idp.authn.LDAP.trustCertificates': slapd.tls!.caFile,
      });
      expect(await d.authenticate('alice', 'demo-alice')).toBe(true);
      expect(await d.authenticate('alice', 'wrong')).toBe(false);
      expect((await d.lookup('bob'))?.mail).toEqual(['bob@example.org']);
    });

    it(`${name}: sends nothing to a server whose certificate it cannot verify`, async () => {
      const trusts: Record<string, string>[] = [
        {},
        { 'idp.authn.LDAP.trustCertificates': await otherCertificate() },
      ];
      for (const trust of trusts) {
        const d = directory({ ...variants()[name], ...trust });
        const err = await directoryFailure(d.authenticate('alice', 'demo-alice'));
        expect(err.code).toBe('DIRECTORY_FAILED');
        expect(err.message).toMatch(/certificate/i);
      }
    });
  }
});
