/** Audit field ids, as Shibboleth names them (IdPAuditFields, SAMLAuditFields). */
export const AuditField = {
  REMOTE_ADDR: 'a',
  START_TIME: 'ST',
  EVENT_TIME: 'T',
  PROFILE: 'P',
  USERNAME: 'u',
  IMPERSONATING_USERNAME: 'uu',
  RELYING_PARTY: 'SP',
  RESPONDER: 'IDP',
  ASSERTION_ID: 'i',
  AUTHN_CONTEXT: 'ac',
  AUTHN_INSTANT: 't',
  ATTRIBUTES: 'attr',
  NAMEID: 'n',
  NAMEID_FORMAT: 'f',
  SSO: 'SSO',
  IS_SIGNED: 'XX',
  ENCRYPTION_ALGORITHM: 'XA',
  INBOUND_BINDING: 'b',
  OUTBOUND_BINDING: 'bb',
  EVENT: 'e',
  STATUS: 'S',
  SUBSTATUS: 'SS',
  SESSION_ID: 's',
  USER_AGENT: 'UA',
  REQUEST_ID: 'I',
  IN_RESPONSE_TO: 'II',
  RESPONSE_ID: 'III',
  RELAY_STATE: 'RS',
  URI: 'URI',
  URL: 'URL',
  /** Not Shibboleth's: the impersonation target the tester asked for, as typed and canonicalized. */
  REQUESTED_TARGET: 'ut',
  REQUESTED_TARGET_CANONICAL: 'utc',
  /** Not Shibboleth's: the request's transaction id, also on its process-log lines. */
  TRANSACTION_ID: 'tx',
  /** Not Shibboleth's: what the record describes (release, refusal, offer, login, …; docs/auditing.md). */
  ACTION: 'act',
  /** Not Shibboleth's: details as key=value values (a reload's files, a checkpoint's signature, …). */
  DETAILS: 'det',
  /** Not Shibboleth's: the node that wrote the record (idp.node.id), stamped on every record. */
  NODE: 'node',
} as const;

/** The fields of one audit record; values are lists, joined with "," when written. */
export type AuditFields = Map<string, string[]>;

/** The values of %act: what a record describes (docs/auditing.md, "Actions"). */
export const AuditAction = {
  /** An assertion, authorization or token response was released to a relying party. */
  RELEASE: 'release',
  /** A request was refused; %e says why. */
  REFUSE: 'refuse',
  /** The impersonate form was shown to the tester. */
  OFFER: 'offer',
  /** The tester answered the impersonate form (%det choice=impersonate|self). */
  CHOOSE: 'choose',
  /** An identify-level preview: the tester was shown what the RP would receive as the target; nothing was released. */
  PREVIEW: 'preview',
  /** A password login: %e empty on success, else why it failed. */
  LOGIN: 'login',
  /** An IdP session ended: "Sign out" on the "Who am I" page, or a single logout (docs/logout.md). */
  LOGOUT: 'logout',
  /** The access-control policies were reloaded (or a reload was tried). */
  RELOAD: 'reload',
} as const;

/** %det's values: one `key=value` per entry with a value (undefined entries are left out). */
export function auditDetails(details: Record<string, string | number | undefined>): string[] {
  return Object.entries(details).flatMap(([key, value]) =>
    value === undefined ? [] : [`${key}=${value}`],
  );
}
