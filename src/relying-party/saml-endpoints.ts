/**
 * An SP's SAML endpoints as the IdP keeps them: where its AssertionConsumerServices and
 * SingleLogoutServices are, by which binding (SAML metadata §2.2.2-2.2.3). The IdP answers
 * AuthnRequests over HTTP-POST only, so the default ACS is chosen among the POST endpoints.
 */

export const HTTP_POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** An AssertionConsumerService (an IndexedEndpoint): Location, Binding, index, isDefault. */
export interface AcsEndpoint {
  readonly location: string;
  readonly binding: string;
  readonly index: number;
  /** The isDefault attribute: true, false, or undefined when the metadata leaves it out. */
  readonly isDefault?: boolean;
}

/** A SingleLogoutService: Location, Binding, and the ResponseLocation when it has one. */
export interface SloEndpoint {
  readonly location: string;
  readonly binding: string;
  readonly responseLocation?: string;
}

/**
 * The endpoint a response goes to when the request names none: among the HTTP-POST endpoints, the
 * one marked isDefault="true", else the first not marked isDefault="false", else the first (SAML
 * metadata §2.2.3, as OpenSAML resolves it). Undefined when the SP has no HTTP-POST endpoint.
 */
export function defaultAcs(endpoints: readonly AcsEndpoint[]): AcsEndpoint | undefined {
  const post = endpoints.filter((e) => e.binding === HTTP_POST_BINDING);
  return (
    post.find((e) => e.isDefault === true) ?? post.find((e) => e.isDefault === undefined) ?? post[0]
  );
}
