/** What a demo relying party needs from the IdP's SAML metadata: its certificate and SSO URL. */
import { DOMParser } from '@xmldom/xmldom';

export interface IdpMetadata {
  readonly entityID: string;
  readonly certificate: string;
  readonly ssoRedirectURL: string;
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export async function fetchIdpMetadata(url: string): Promise<IdpMetadata> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`IdP metadata at ${url}: HTTP ${response.status}`);
  const doc = new DOMParser().parseFromString(await response.text(), 'text/xml');
  const root = doc.documentElement;
  const cert = doc
    .getElementsByTagNameNS(DS, 'X509Certificate')[0]
    ?.textContent?.replace(/\s+/g, '');
  const sso = [...Array.from(doc.getElementsByTagNameNS(MD, 'SingleSignOnService'))].find(
    (e) => e.getAttribute('Binding') === 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  );
  if (!root || !cert || !sso)
    throw new Error(`IdP metadata at ${url} has no signing certificate or Redirect SSO endpoint`);
  return {
    entityID: root.getAttribute('entityID') ?? '',
    certificate: cert,
    ssoRedirectURL: sso.getAttribute('Location') ?? '',
  };
}
