/**
 * The idp.metadata.* properties (what the IdP publishes about itself at /idp/shibboleth) and the
 * signing files, the next pair for a rollover included, typed and checked: a half-configured
 * organization or rollover pair stops the IdP at start-up rather than publishing something wrong.
 */
import { ConfigurationError } from '../core/errors.js';
import type { SigningFiles } from '../credentials/signing-credential.js';
import type { PropertyEntry } from '../core/properties.js';
import type { TypedProperties } from './typed-properties.js';

export interface MetadataOrganization {
  readonly name: string;
  readonly displayName: string;
  readonly url: string;
}

type ContactType = 'technical' | 'support' | 'security';

export interface MetadataContact {
  readonly type: ContactType;
  /** A mailto: URI, as md:EmailAddress carries it. */
  readonly email: string;
}

export interface MetadataProperties {
  readonly validityMs: number;
  readonly cacheDurationMs: number;
  readonly sign: boolean;
  readonly organization?: MetadataOrganization;
  readonly contacts: readonly MetadataContact[];
}

type Raw = ReadonlyMap<string, PropertyEntry>;

export function metadataProperties(p: TypedProperties, raw: Raw): MetadataProperties {
  return {
    validityMs: p.num('idp.metadata.validity'),
    cacheDurationMs: p.num('idp.metadata.cacheDuration'),
    sign: p.bool('idp.metadata.sign'),
    organization: organization(p, raw),
    contacts: (['technical', 'support', 'security'] as const).flatMap((type) => {
      const key = `idp.metadata.contact.${type}`;
      const value = p.str(key).trim();
      return value === '' ? [] : [{ type, email: mailto(value, key, raw) }];
    }),
  };
}

export function signingFiles(p: TypedProperties, raw: Raw): SigningFiles {
  const key = p.str('idp.signing.next.key');
  const cert = p.str('idp.signing.next.cert');
  if ((key === '') !== (cert === '')) {
    const missing = key === '' ? 'idp.signing.next.key' : 'idp.signing.next.cert';
    const given = key === '' ? 'idp.signing.next.cert' : 'idp.signing.next.key';
    throw new ConfigurationError(
      raw.get(given)!.source,
      missing,
      `must be set with ${given} (a rollover pair is both files or neither)`,
    );
  }
  return {
    key: p.str('idp.signing.key'),
    cert: p.str('idp.signing.cert'),
    next: key === '' ? undefined : { key, cert },
  };
}

function organization(p: TypedProperties, raw: Raw): MetadataOrganization | undefined {
  const name = p.str('idp.metadata.organization.name').trim();
  const displayName = p.str('idp.metadata.organization.displayName').trim();
  const url = p.str('idp.metadata.organization.url').trim();
  const fail = (key: string, why: string): never => {
    throw new ConfigurationError(raw.get(key)!.source, key, why);
  };
  if (name === '') {
    // md:Organization needs all three; a URL or display name alone would be silently dropped.
    for (const key of ['idp.metadata.organization.url', 'idp.metadata.organization.displayName'])
      if (p.str(key).trim() !== '') fail(key, 'needs idp.metadata.organization.name');
    return undefined;
  }
  if (url === '') fail('idp.metadata.organization.url', 'must be set with an organization name');
  if (!/^https?:\/\/[^\s]+$/.test(url))
    fail('idp.metadata.organization.url', `must be an http(s) URL (got ${JSON.stringify(url)})`);
  return { name, displayName: displayName === '' ? name : displayName, url };
}

/** A plain address becomes a mailto: URI; anything that is not one address is refused. */
function mailto(value: string, key: string, raw: Raw): string {
  const address = value.replace(/^mailto:/i, '');
  if (!/^[^\s@<>"]+@[^\s@<>"]+$/.test(address))
    throw new ConfigurationError(
      raw.get(key)!.source,
      key,
      `must be an e-mail address (got ${JSON.stringify(value)})`,
    );
  return `mailto:${address}`;
}
