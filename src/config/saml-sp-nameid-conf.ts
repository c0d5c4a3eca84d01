/**
 * An SP's `nameIDFormat` in relying-party.yaml: one format or a list, most preferred first
 * (Shibboleth's nameIDFormatPrecedence). Each is a short name (`persistent`) or its URI
 * (`urn:oasis:names:tc:SAML:2.0:nameid-format:persistent`).
 */
import type { ConfNode } from '../core/yaml-conf.js';
import { NAMEID_FORMATS, type NameIdFormat } from '../relying-party/relying-party.js';

/**
 * The default keeps what every SP got before formats could be listed (the account name): a
 * deployment upgrading must not see its SPs' identifiers change. New SPs should list theirs.
 */
const DEFAULT_FORMATS: readonly NameIdFormat[] = ['unspecified'];

const BY_URI = new Map(
  Object.entries(NAMEID_FORMATS).map(([name, uri]) => [uri, name as NameIdFormat]),
);

export function nameIdFormats(sp: ConfNode): readonly NameIdFormat[] {
  if (!sp.has('nameIDFormat')) return DEFAULT_FORMATS;
  const given = sp.strings('nameIDFormat');
  if (given.length === 0) sp.fail('must name at least one format', 'nameIDFormat');
  // A scalar is reported at the key, a list item at its index.
  const failAt = (i: number, problem: string): never =>
    Array.isArray(sp.child('nameIDFormat').value)
      ? sp.child('nameIDFormat').fail(problem, i)
      : sp.fail(problem, 'nameIDFormat');
  const formats: NameIdFormat[] = [];
  given.forEach((text, i) => {
    const format = text in NAMEID_FORMATS ? (text as NameIdFormat) : BY_URI.get(text as never);
    if (!format)
      failAt(i, `${text} is no NameID format (one of ${Object.keys(NAMEID_FORMATS).join(', ')})`);
    else if (formats.includes(format)) failAt(i, `${text} is listed twice`);
    else formats.push(format);
  });
  return formats;
}
