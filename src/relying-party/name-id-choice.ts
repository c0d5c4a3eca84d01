/**
 * Which NameID formats may answer a request (SAML core §3.4.1.1, as Shibboleth decides it): a
 * NameIDPolicy without a Format, or with the unspecified one, leaves the choice to the SP's
 * configured formats, most preferred first; a Format the SP is not configured for, or an
 * SPNameQualifier other than the SP's own entity ID (affiliations are not supported), is refused
 * with InvalidNameIDPolicy. Pure: the SAML responder (src/frontend/saml/nameid/) and the identify
 * preview use it.
 */
import { NAMEID_FORMATS, type NameIdFormat, type SamlServiceProvider } from './relying-party.js';

/** What an AuthnRequest's NameIDPolicy asks; JSON, so it travels in a parked request. */
export type NameIdPolicy = {
  /** The Format URI, or null when absent (any format: the SP's precedence decides). */
  format: string | null;
  /**
   * Whether the IdP may create a new persistent identifier. Only an explicit AllowCreate="false"
   * forbids it: SAML core's errata (E11) lets an absent attribute be treated as permission, and
   * SPs (Shibboleth's, node-saml) send "true" whenever they mean it.
   */
  allowCreate: boolean;
  /** SPNameQualifier: whose namespace the identifier is to be in; null when absent. */
  spNameQualifier: string | null;
};

export type FormatChoice =
  { readonly formats: readonly NameIdFormat[] } | { readonly refused: string };

const BY_URI: ReadonlyMap<string, NameIdFormat> = new Map(
  Object.entries(NAMEID_FORMATS).map(([name, uri]) => [uri, name as NameIdFormat]),
);

export function formatChoice(
  sp: SamlServiceProvider,
  policy: NameIdPolicy | null | undefined,
): FormatChoice {
  const qualifier = policy?.spNameQualifier;
  if (qualifier != null && qualifier !== sp.id)
    return {
      refused: `SPNameQualifier ${JSON.stringify(qualifier)} is not the SP's entity ID (affiliations are not supported)`,
    };
  const asked = policy?.format;
  if (asked == null || asked === NAMEID_FORMATS.unspecified) return { formats: sp.nameIDFormats };
  const format = BY_URI.get(asked);
  if (!format || !sp.nameIDFormats.includes(format))
    return {
      refused: `Format ${JSON.stringify(asked)} is not one configured for the SP (${sp.nameIDFormats.join(', ')})`,
    };
  return { formats: [format] };
}
