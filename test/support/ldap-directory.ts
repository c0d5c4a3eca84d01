/**
 * LDAP directories on a test slapd, configured through the IdP's own property loader, and the
 * IdpError a directory operation fails with.
 */
import { tmpdir } from 'node:os';
import { loadIdpProperties } from '../../src/config/idp-properties.js';
import { IdpError } from '../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { LdapUserDirectory } from '../../src/directory/ldap-user-directory.js';
import type { Slapd } from './slapd.js';

/** The account-name rules of these directories (and of a SQLite one to compare with). */
export const LDAP_NAME_RULES = { caseSensitive: false, maxLength: 64 };

/** A directory on `slapd` with these property overrides; pushed to `opened` for the suite to close. */
export function ldapDirectory(
  slapd: Slapd,
  properties: Record<string, string>,
  opened: LdapUserDirectory[],
  warn: (message: string) => void = () => {},
): LdapUserDirectory {
  const props = loadIdpProperties({
    home: tmpdir(),
    confDir: DEFAULT_CONF_DIR,
    env: {},
    overrides: { ...slapd.properties, ...properties },
  });
  const d = new LdapUserDirectory(props.directory.ldap!, LDAP_NAME_RULES, { warn });
  opened.push(d);
  return d;
}

/** The IdpError `work` fails with; throws when it does not fail. */
export async function directoryFailure(work: Promise<unknown>): Promise<IdpError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof IdpError) return err;
    throw err;
  }
  throw new Error('the directory did not fail');
}
