/** The NameID formats the IdP's metadata advertises: those some SP is configured for, no others. */
import { NAMEID_FORMATS, type RelyingParty } from '../../../relying-party/relying-party.js';

/** Their URIs, each once, in the order the SPs list them. */
export function configuredNameIdFormats(relyingParties: readonly RelyingParty[]): string[] {
  const formats = relyingParties.flatMap((rp) => (rp.kind === 'saml' ? rp.nameIDFormats : []));
  return [...new Set(formats)].map((f) => NAMEID_FORMATS[f]);
}
