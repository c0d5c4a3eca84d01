/** What a demo relying party needs from the IdP's SAML metadata: its certificates, SSO and SLO URLs. */
import { DOMParser } from '@xmldom/xmldom';

export interface IdpMetadata {
  readonly entityID: string;
  /** The first signing certificate (the one the IdP signs with: it publishes it first). */
  readonly certificate: string;
  /**
   * Every signing certificate of the IDPSSODescriptor: during a key rollover the current one and
   * the next, both to be trusted so that the switch needs no change at the SP.
   */
  readonly certificates: readonly string[];
  readonly ssoRedirectURL: string;
  /** The HTTP-Redirect SingleLogoutService, when the IdP offers one. */
  readonly sloRedirectURL?: string;
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export async function fetchIdpMetadata(url: string): Promise<IdpMetadata> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`IdP metadata at ${url}: HTTP ${response.status}`);
  const doc = new DOMParser().parseFromString(await response.text(), 'text/xml');
  const root = doc.documentElement;
  const sso = redirectEndpoint(doc, 'SingleSignOnService');
  const slo = redirectEndpoint(doc, 'SingleLogoutService');
  // Only the KeyDescriptors' certificates: a signed document's own KeyInfo is not a declaration.
  const certificates = Array.from(doc.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((k) => (k.getAttribute('use') ?? 'signing') !== 'encryption')
    .map((k) => certificateOf(k))
    .filter((c): c is string => c !== undefined);
  if (!root || certificates.length === 0 || !sso)
    throw new Error(`IdP metadata at ${url} has no signing certificate or Redirect SSO endpoint`);
  return {
    entityID: root.getAttribute('entityID') ?? '',
    certificate: certificates[0]!,
    certificates,
    ssoRedirectURL: sso.getAttribute('Location') ?? '',
    sloRedirectURL: slo?.getAttribute('Location') ?? undefined,
  };
}

function redirectEndpoint(doc: Document, name: string): Element | undefined {
  return Array.from(doc.getElementsByTagNameNS(MD, name)).find(
    (e) => e.getAttribute('Binding') === 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  );
}

function certificateOf(keyDescriptor: Element): string | undefined {
  const text = keyDescriptor.getElementsByTagNameNS(DS, 'X509Certificate')[0]?.textContent;
  const cert = text?.replace(/\s+/g, '');
  return cert === '' ? undefined : cert;
}
