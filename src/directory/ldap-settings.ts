/**
 * What the LDAP user directory needs to know, already checked (src/config/ldap-properties.ts reads
 * it from the idp.authn.LDAP.* properties and refuses a bad value at start-up).
 */

/** An account state read from an attribute: its presence, or one value equal to `value` (ignoring case). */
export interface StateAttribute {
  readonly attribute: string;
  readonly value?: string;
}

export interface LdapDirectorySettings {
  /** ldap://host:port or ldaps://host:port. */
  readonly url: string;
  readonly startTls: boolean;
  /** PEM text of the trusted CA certificates; undefined: Node's built-in list. */
  readonly trustedCertificates?: string;
  readonly baseDN: string;
  /** true: the whole subtree below baseDN; false: its immediate children. */
  readonly subtree: boolean;
  /** An RFC 4515 filter with {user} where the escaped account name goes. */
  readonly userFilter: string;
  /** The service account; both empty: anonymous searches. */
  readonly bindDN: string;
  readonly bindCredential: string;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly poolMaxSize: number;
  /** LDAP attribute name → the IdP's source attribute name. */
  readonly attributeMap: ReadonlyMap<string, string>;
  readonly locked?: StateAttribute;
  readonly disabled?: StateAttribute;
  readonly protected?: StateAttribute;
}
