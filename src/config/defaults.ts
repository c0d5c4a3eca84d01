/**
 * The one defaults module: every property the IdP reads from conf/idp.properties, with its default,
 * the environment variable that overrides it, its type and what it does. The README's property
 * reference is written from this table; `test/config/documentation.test.ts` keeps the two in step.
 *
 * Values may refer to other properties as %{name} (Shibboleth's syntax). `idp.home` (the folder for
 * data, logs and generated credentials) and `idp.conf` (the configuration folder) are always defined.
 */
export type PropertyType =
  | 'string'
  | 'port'
  | 'integer'
  | 'boolean'
  | 'duration'
  | 'url'
  | 'path'
  /** A path that may be left empty: the feature it configures is then off. */
  | 'optional path'
  /** Free text that may be left empty (metadata contacts and the like: omitted when empty). */
  | 'optional string'
  | { enum: readonly string[] };

export interface PropertyDefinition {
  readonly key: string;
  readonly default: string;
  readonly env: string;
  readonly type: PropertyType;
  readonly description: string;
}

const LOG_LEVELS = { enum: ['ERROR', 'WARN', 'INFO', 'DEBUG'] } as const;

export function propertyDefinitions(): PropertyDefinition[] {
  return [
    // --- Where the IdP listens and how it names itself
    p('idp.port', '8080', 'port', 'TCP port of the IdP.'),
    p('idp.listenAddress', '127.0.0.1', 'string', 'Address the IdP (and the demo apps) bind to.'),
    p(
      'idp.trustedProxies',
      '',
      'optional string',
      "Load balancers or reverse proxies in front of the IdP, as a comma-separated list of addresses or CIDR ranges (127.0.0.1, 10.0.0.0/8, ::1). A request from one of them is taken to come from the last address in X-Forwarded-For that is not itself one of them (and its scheme from X-Forwarded-Proto): the client address the login throttle counts, the audit's %a and the process log see. Empty = trust no proxy; the header is then ignored, so a client cannot forge its address. Behind a balancer, leave it empty and every login counts as the balancer's address.",
    ),
    p(
      'idp.node.id',
      '',
      'optional string',
      "This node's name in a cluster: every audit record carries it (%node), and the access-control status lists each node by it. Letters, digits, '.', '_' and '-', at most 63; empty = the machine's host name. Give each node of a cluster its own.",
    ),
    p(
      'idp.baseURL',
      'http://localhost:%{idp.port}',
      'url',
      'External base URL of the IdP; every endpoint URL is built from it.',
    ),
    p(
      'idp.entityID',
      '%{idp.baseURL}/idp/shibboleth',
      'string',
      'SAML entity ID of the IdP (also the path of its metadata).',
    ),
    p(
      'idp.scope',
      'example.org',
      'string',
      'Scope of scoped attributes such as eduPersonPrincipalName.',
    ),

    // --- Storage
    p(
      'idp.storage.sqlite.path',
      '%{idp.home}/data/idp.db',
      'path',
      'SQLite file holding the user directory, IdP sessions and flow executions; created on first start.',
    ),
    p(
      'idp.storage.sqlite.busyTimeout',
      'PT2S',
      'duration',
      'How long a request waits for the SQLite file while another process holds a lock on it, before it fails with a 503 page. The wait never blocks other requests: the IdP retries on a timer.',
    ),
    p(
      'idp.directory.seedFile',
      '%{idp.conf}/demo-users.yaml',
      'path',
      'Readable seed file loaded into an empty user directory on first start.',
    ),
    p(
      'idp.directory.caseSensitive',
      'false',
      'boolean',
      'Whether account names are case-sensitive. When false, names are lower-cased wherever they enter the IdP, so one account has exactly one name.',
    ),

    // --- Shared state (issue 12): SQLite on one node, or Redis shared by the nodes of a cluster
    p(
      'idp.storage.type',
      'sqlite',
      { enum: ['sqlite', 'redis'] },
      'Where IdP sessions, flow executions and login failures live: sqlite (the local database file) or redis (shared by every node of a cluster; idp.storage.redis.*).',
    ),
    p(
      'idp.storage.redis.url',
      'redis://127.0.0.1:6379',
      'string',
      'Redis server for idp.storage.type = redis: redis://host:port[/db] or rediss:// for TLS. A password belongs in idp.storage.redis.passwordFile, not here.',
    ),
    p(
      'idp.storage.redis.keyPrefix',
      'idp:',
      'string',
      'Prefix of every Redis key the IdP writes, so several IdPs (or other programs) can share one Redis.',
    ),
    p(
      'idp.storage.redis.connectTimeout',
      'PT5S',
      'duration',
      'How long connecting to Redis may take (at start-up, which fails after it, and on each reconnect).',
    ),
    p(
      'idp.storage.redis.commandTimeout',
      'PT2S',
      'duration',
      'How long one Redis command may take before the request fails with a 503 page (SharedStoreFailure); a slow or stopped Redis never holds a request longer.',
    ),
    p(
      'idp.storage.redis.passwordFile',
      '',
      'optional path',
      'File holding the Redis password (AUTH; the first line, trimmed); empty: no password.',
    ),
    p(
      'idp.storage.redis.tlsCaFile',
      '',
      'optional path',
      'PEM file of the certificate authorities trusted for a rediss:// server; empty: the system ones.',
    ),

    // --- LDAP directory (Shibboleth's ldap.properties names; read when idp.directory.type = ldap)
    p(
      'idp.directory.type',
      'sqlite',
      { enum: ['sqlite', 'ldap'] },
      'Where accounts, passwords and attributes live: sqlite (the embedded directory, seeded from idp.directory.seedFile) or ldap (an LDAP server, idp.authn.LDAP.*: passwords are checked by binding as the account, attributes read with the service account). The policy CLI reads the same directory.',
    ),
    p(
      'idp.authn.LDAP.ldapURL',
      '',
      'optional string',
      'URL of the LDAP server: ldap://host[:port] or ldaps://host[:port] (scheme, host and port only). Required when idp.directory.type = ldap.',
    ),
    p(
      'idp.authn.LDAP.useStartTLS',
      'false',
      'boolean',
      'Whether every connection to an ldap:// URL is upgraded with StartTLS before anything is sent on it (refused with an ldaps:// URL, which is TLS already). Without either, passwords cross the network in clear (a WARN at start-up).',
    ),
    p(
      'idp.authn.LDAP.trustCertificates',
      '',
      'optional path',
      "PEM file of the CA certificates trusted for the LDAP server's TLS certificate (ldaps:// or StartTLS); empty: Node's built-in CA list. The server's name must match its certificate either way.",
    ),
    p(
      'idp.authn.LDAP.baseDN',
      '',
      'optional string',
      'Base DN of the account search. Required when idp.directory.type = ldap.',
    ),
    p(
      'idp.authn.LDAP.subtreeSearch',
      'false',
      'boolean',
      'Whether the account search covers the whole subtree below idp.authn.LDAP.baseDN (true) or only its immediate children (false, one level).',
    ),
    p(
      'idp.authn.LDAP.userFilter',
      '(uid={user})',
      'string',
      'Filter of the account search (RFC 4515); {user} is replaced by the canonical account name with every filter metacharacter escaped, so a name is never a wildcard. Must contain {user}. More than one entry matching a name is a failure to resolve it (refused and logged).',
    ),
    p(
      'idp.authn.LDAP.bindDN',
      '',
      'optional string',
      'DN of the service account that searches for accounts and reads their attributes; empty: anonymous searches (with idp.authn.LDAP.bindDNCredential empty too). It never needs to read userPassword.',
    ),
    p(
      'idp.authn.LDAP.bindDNCredential',
      '',
      'optional string',
      'Password of idp.authn.LDAP.bindDN. Best given in the environment (IDP_AUTHN_LDAP_BIND_DN_CREDENTIAL) rather than the file; never logged.',
    ),
    p(
      'idp.authn.LDAP.connectTimeout',
      'PT3S',
      'duration',
      'How long opening a connection to the LDAP server (TCP, TLS, StartTLS) may take before the request fails with the directory error page (503).',
    ),
    p(
      'idp.authn.LDAP.responseTimeout',
      'PT3S',
      'duration',
      'How long one LDAP operation (bind or search) may take, and how long a request waits for a free pooled connection, before the request fails with the directory error page (503). The connection that timed out is discarded.',
    ),
    p(
      'idp.authn.LDAP.poolMaxSize',
      '10',
      'integer',
      'Most connections the IdP keeps open to the LDAP server (1-100); they are opened as needed, reused, and a broken one is replaced. A request finding all of them busy waits up to idp.authn.LDAP.responseTimeout.',
    ),
    p(
      'idp.authn.LDAP.attributeMap',
      'displayName=displayName, mail=mail, eduPersonAffiliation=affiliation, eduPersonEntitlement=entitlement',
      'optional string',
      'Which LDAP attributes are read, and the source attribute name each becomes for conf/attribute-resolver.yaml (the names conf/demo-users.yaml uses): comma-separated ldapName=sourceName pairs. uid is always the canonical account name and cannot be mapped; attributes not listed are never read.',
    ),
    p(
      'idp.authn.LDAP.lockedAttribute',
      'pwdAccountLockedTime',
      'optional string',
      "Attribute whose presence marks an account locked (the default is OpenLDAP ppolicy's lock); empty: no account is locked by the IdP's reading. A locked account cannot sign in or be impersonated; its attributes are still read.",
    ),
    p(
      'idp.authn.LDAP.disabledAttribute',
      '',
      'optional string',
      'Attribute that marks an account disabled: when idp.authn.LDAP.disabledValue is empty, its presence; otherwise one of its values equal to that value (ignoring case), e.g. nsAccountLock / true (389 Directory Server). Empty: none. A disabled account cannot sign in, be impersonated, or have attributes released.',
    ),
    p(
      'idp.authn.LDAP.disabledValue',
      '',
      'optional string',
      'Value of idp.authn.LDAP.disabledAttribute that marks an account disabled (empty: any value).',
    ),
    p(
      'idp.authn.LDAP.protectedAttribute',
      '',
      'optional string',
      'Attribute that flags an account protected ("sensitive, cannot be delegated": never impersonated), like idp.authn.LDAP.disabledAttribute: its presence, or one of its values equal to idp.authn.LDAP.protectedValue (ignoring case). Empty: no account is protected by the directory (an account that cannot be looked up counts as protected).',
    ),
    p(
      'idp.authn.LDAP.protectedValue',
      '',
      'optional string',
      'Value of idp.authn.LDAP.protectedAttribute that flags an account protected (empty: any value).',
    ),

    // --- IdP session
    p('idp.session.cookieName', 'shib_idp_session', 'string', 'Name of the IdP session cookie.'),
    p(
      'idp.session.timeout',
      'PT60M',
      'duration',
      'Idle timeout of the IdP session (ISO-8601 duration).',
    ),
    p(
      'idp.session.maxLifetime',
      'PT8H',
      'duration',
      'How long a password login stays valid for SSO, however active the session.',
    ),
    p(
      'idp.session.secretFile',
      '%{idp.home}/credentials/session-secret',
      'path',
      'File holding the secret that signs the session cookie; generated on first start when missing.',
    ),
    p(
      'idp.cookie.secure',
      'auto',
      { enum: ['auto', 'true', 'false'] },
      'Secure flag of IdP cookies; auto = set when idp.baseURL is https.',
    ),
    p(
      'idp.cookie.sameSite',
      'lax',
      { enum: ['lax', 'strict', 'none'] },
      'SameSite attribute of the IdP session cookie. none requires https.',
    ),

    // --- Flows and forms
    p(
      'idp.flow.timeout',
      'PT10M',
      'duration',
      'How long a login or intercept form stays valid before it must be started again.',
    ),
    p(
      'idp.csrf.token.parameter',
      'csrf_token',
      'string',
      'Name of the hidden CSRF token field on every IdP form.',
    ),
    p(
      'idp.login.maxFailures',
      '5',
      'integer',
      "Failed password logins allowed for one account from one client address (an IPv6 client's /64) in idp.login.failureWindow; then that account is refused from that address for the rest of the window (Shibboleth's maxAttempts). 0 disables.",
    ),
    p(
      'idp.login.maxFailuresPerAccount',
      '100',
      'integer',
      'Failed password logins allowed for one account from all addresses together in idp.login.failureWindow; then the account is refused from everywhere for the rest of the window. Bounds guessing from many addresses. 0 disables.',
    ),
    p('idp.login.failureWindow', 'PT5M', 'duration', 'Window of the failed-login counters.'),

    // --- Credentials
    p(
      'idp.signing.key',
      '%{idp.home}/credentials/idp-signing.key',
      'path',
      'PEM private key that signs SAML responses. A demo key pair is generated (with a warning) when both files are missing.',
    ),
    p(
      'idp.signing.cert',
      '%{idp.home}/credentials/idp-signing.crt',
      'path',
      'PEM certificate published in the IdP metadata.',
    ),
    p(
      'idp.signing.next.key',
      '',
      'optional path',
      'PEM private key of the next signing pair, for a key rollover (with idp.signing.next.cert; both or neither). Never used to sign; checked at start-up to match its certificate, so the pair can be promoted to idp.signing.key/cert later.',
    ),
    p(
      'idp.signing.next.cert',
      '',
      'optional path',
      'PEM certificate of the next signing pair: published in the IdP metadata beside the current one, so service providers trust it before the IdP signs with it.',
    ),

    // --- The IdP's SAML metadata (/idp/shibboleth)
    p(
      'idp.metadata.validity',
      'P7D',
      'duration',
      'How long served metadata stays valid: validUntil is the time it is served plus this.',
    ),
    p(
      'idp.metadata.cacheDuration',
      'PT1H',
      'duration',
      'cacheDuration of the served metadata: how long a consumer may use its copy before fetching it again.',
    ),
    p(
      'idp.metadata.sign',
      'false',
      'boolean',
      'Whether the served metadata carries an enveloped signature (by the current signing key, over the EntityDescriptor by its ID).',
    ),
    p(
      'idp.metadata.organization.name',
      '',
      'optional string',
      'OrganizationName of the metadata; the Organization element is omitted when empty (then the other two organization properties must be empty too).',
    ),
    p(
      'idp.metadata.organization.displayName',
      '%{idp.metadata.organization.name}',
      'optional string',
      'OrganizationDisplayName of the metadata.',
    ),
    p(
      'idp.metadata.organization.url',
      '',
      'optional string',
      'OrganizationURL of the metadata (an http(s) URL; required with an organization name).',
    ),
    p(
      'idp.metadata.contact.technical',
      '',
      'optional string',
      'E-mail address of the technical ContactPerson in the metadata; omitted when empty.',
    ),
    p(
      'idp.metadata.contact.support',
      '',
      'optional string',
      'E-mail address of the support ContactPerson in the metadata; omitted when empty.',
    ),
    p(
      'idp.metadata.contact.security',
      '',
      'optional string',
      'E-mail address of the security ContactPerson (REFEDS security contact, as SIRTFI asks) in the metadata; omitted when empty.',
    ),

    // --- Inbound SAML requests (bounded work before anyone is authenticated)
    p(
      'idp.saml.inbound.maxConcurrent',
      '64',
      'integer',
      'SAML SSO requests decoded and processed at once (at least 1). A new request over the cap is answered 503 with Retry-After at once, before its body is read (logged as one WARN with a count per 10 s). It also bounds the SAML work done in one turn of the event loop, so other requests (metadata) keep being answered during a burst.',
    ),
    p(
      'idp.saml.inbound.maxMessageSize',
      '32768',
      'integer',
      'Largest AuthnRequest accepted, in bytes of XML after base64 and inflate (1024-1048576). Real requests are a few KB; the encoded parameter and the POST body are limited in proportion.',
    ),
    p(
      'idp.saml.inbound.bodyTimeout',
      'PT10S',
      'duration',
      'How long a POST-binding request may take to send its body before it is refused (408), so a slow sender cannot hold a place under idp.saml.inbound.maxConcurrent.',
    ),

    // --- The impersonate intercept
    p(
      'idp.impersonate.generalPolicy',
      'GeneralImpersonationPolicy',
      'string',
      'Access-control policy deciding whether the impersonate form is offered at all (a policy name missing from conf/access-control.yaml denies).',
    ),
    p(
      'idp.impersonate.specificPolicy',
      'SpecificImpersonationPolicy',
      'string',
      'Access-control policy deciding whether the real user may impersonate the requested account at this relying party.',
    ),
    p(
      'idp.impersonate.maxNameLength',
      '64',
      'integer',
      'Longest account name the impersonate form accepts.',
    ),
    p(
      'idp.impersonate.reason.maxLength',
      '200',
      'integer',
      'Longest reason the impersonate form accepts (characters, after trimming and NFC normalization); a longer one is refused (InvalidImpersonationReason).',
    ),
    p(
      'idp.impersonate.reason.required',
      'false',
      'boolean',
      'Whether the impersonate form requires a reason at relying parties whose relying-party.yaml entry has no impersonation.reason of its own.',
    ),
    p(
      'idp.impersonate.sessionLifetime',
      'PT10M',
      'duration',
      'How long a relying party may keep a session for an impersonated account. SAML: the AuthnStatement of an impersonated assertion carries SessionNotOnOrAfter = issue time + this, so the SP must end its session then (SAML core §2.7.2); plain assertions carry none. OIDC: the default of idp.oidc.impersonation.tokenLifetime, which wins when set explicitly.',
    ),

    p(
      'idp.impersonate.identify.protectedAccounts',
      'false',
      'boolean',
      'Whether a protected account (the directory flag "sensitive, cannot be delegated") may be previewed at the identify level, which releases nothing. Impersonate and delegate are refused for protected accounts whatever this says or the policies allow.',
    ),

    // --- Administration of the access-control policies
    p(
      'idp.accessControl.statusPolicy',
      'AccessControlStatusPolicy',
      'string',
      'Access-control policy protecting the status view /idp/profile/admin/access-control (operation status; a missing policy denies).',
    ),
    p(
      'idp.accessControl.reloadPolicy',
      'AccessControlReloadPolicy',
      'string',
      'Access-control policy protecting /idp/profile/admin/access-control/reload (operation reload; a missing policy denies).',
    ),
    p(
      'idp.audit.reviewPolicy',
      'AuditReviewPolicy',
      'string',
      "Access-control policy protecting the auditors' page /idp/profile/admin/audit (operation review, resource audit; a missing policy denies).",
    ),
    p(
      'idp.audit.review.maxRows',
      '500',
      'integer',
      "Most records the auditors' page lists for one query (the newest; the chart and counts cover all that match). Use `audit query` for more.",
    ),
    p(
      'idp.audit.review.defaultWindow',
      'P7D',
      'duration',
      "How far back the auditors' page looks when no 'since' is given.",
    ),
    p(
      'idp.accessControl.watch',
      'true',
      'boolean',
      'Whether the IdP reloads the access-control policies by itself when conf/access-control.yaml or a file it names changes. Turn it off to change several files at once and load them with `policy reload` (or SIGHUP) when all are saved.',
    ),

    // --- OpenID Connect
    p(
      'idp.oidc.issuer',
      '%{idp.baseURL}',
      'url',
      'Issuer of the OpenID Provider; discovery is at <issuer>/.well-known/openid-configuration.',
    ),
    p(
      'idp.oidc.keysFile',
      '%{idp.home}/credentials/oidc-signing-keys.json',
      'path',
      'Private JWK set (JSON) that signs ID tokens; generated (RS256 and ES256, with a warning) when missing.',
    ),
    p(
      'idp.oidc.cookieSecretFile',
      '%{idp.home}/credentials/oidc-cookie-secret',
      'path',
      "File holding the key that signs the OpenID Provider's own cookies; generated on first start when missing.",
    ),
    p('idp.oidc.accessTokenLifetime', 'PT1H', 'duration', 'Lifetime of access tokens.'),
    p('idp.oidc.idTokenLifetime', 'PT1H', 'duration', 'Lifetime of ID tokens.'),
    p(
      'idp.oidc.refreshTokenLifetime',
      'P14D',
      'duration',
      'Lifetime of refresh tokens (for clients allowed them, with the offline_access scope).',
    ),
    p(
      'idp.oidc.impersonation.tokenLifetime',
      '%{idp.impersonate.sessionLifetime}',
      'duration',
      'Lifetime of every token issued under impersonation (access, ID and, if allowed, refresh tokens), however long the normal lifetimes are. Defaults to idp.impersonate.sessionLifetime, so one property bounds an impersonated session for both protocols; set explicitly, this one wins for OIDC (shorter or longer). Recorded with each impersonation; a shorter value also applies to existing ones at restart, a longer one to new ones only.',
    ),
    p(
      'idp.oidc.impersonation.refreshTokens',
      'false',
      'boolean',
      'Whether a refresh token may be issued under impersonation at all. Recorded with each impersonation; false also applies to existing ones at restart.',
    ),

    // --- Logs
    p('idp.logfiles', '%{idp.home}/logs', 'path', 'Folder of the audit and process logs.'),
    p(
      'idp.audit.file',
      '%{idp.logfiles}/idp-audit.log',
      'path',
      'Audit log; every record is flushed to disk (fdatasync) before the response it describes is sent.',
    ),
    p(
      'idp.audit.chain.enabled',
      'true',
      'boolean',
      'Whether every audit line carries its place in the tamper-evident chain (|seq|hash after the record) and signed checkpoints are written. Requires %P, %act and %det in conf/audit.yaml. false writes the lines exactly as the format says.',
    ),
    p(
      'idp.audit.checkpoint.records',
      '1000',
      'integer',
      'A signed checkpoint is written after this many audit records (1-1000000).',
    ),
    p(
      'idp.audit.checkpoint.interval',
      'PT5M',
      'duration',
      'A signed checkpoint is also written this long after the last one if any record was written since (PT1S-P1D); one is always written at rotation and at shutdown.',
    ),
    p(
      'idp.audit.signing.key',
      '%{idp.home}/credentials/idp-audit.key',
      'path',
      'Ed25519 private key (PKCS#8 PEM, mode 0600) that signs the audit checkpoints. A key pair is generated (with a warning) when both files are missing; one without the other stops the IdP.',
    ),
    p(
      'idp.audit.signing.publicKey',
      '%{idp.home}/credentials/idp-audit.pub',
      'path',
      'Public key (SPKI PEM) of the audit key, for `audit verify`.',
    ),
    p(
      'idp.audit.rotate.daily',
      'true',
      'boolean',
      'Rotate the audit log at the first record of each new UTC day, to idp-audit-YYYY-MM-DD.log.gz (the UTC day the file was begun: with daily rotation, the one day of its records).',
    ),
    p(
      'idp.audit.rotate.maxSize',
      '104857600',
      'integer',
      'Rotate the audit log, between two records, once it reaches this many bytes (0 = never; else at least 1024); the rotated files of one day are numbered idp-audit-YYYY-MM-DD.1.log.gz, .2 ….',
    ),
    p(
      'idp.audit.rotate.compress',
      'true',
      'boolean',
      'Whether rotated audit logs are gzip-compressed (in the background; the plain file is deleted once the .gz is on disk).',
    ),
    p(
      'idp.audit.rotate.maxHistory',
      '180',
      'integer',
      'Days of rotated audit logs kept; older ones are deleted at rotation and start-up (0 = keep all; at most 36500).',
    ),
    p('idp.process.file', '%{idp.logfiles}/idp-process.log', 'path', 'Operational (process) log.'),
    p('idp.loglevel.idp', 'INFO', LOG_LEVELS, 'Level of the process log file.'),
    p('idp.loglevel.console', 'INFO', LOG_LEVELS, 'Level of the process log on standard output.'),

    // --- Demo relying parties started by `npm start`
    p('demo.sp.port', '8081', 'port', 'TCP port of the demo SAML service provider.'),
    p(
      'demo.sp.baseURL',
      'http://localhost:%{demo.sp.port}',
      'url',
      'External base URL of the demo SAML service provider.',
    ),
    p(
      'demo.sp.entityID',
      'https://sp.demo.example.org/shibboleth',
      'string',
      'SAML entity ID of the demo service provider (referenced from relying-party.yaml and the policies).',
    ),
    p('demo.oidc.port', '8082', 'port', 'TCP port of the demo OpenID Connect client.'),
    p(
      'demo.oidc.baseURL',
      'http://localhost:%{demo.oidc.port}',
      'url',
      'External base URL of the demo OpenID Connect client.',
    ),
    p(
      'demo.oidc.clientId',
      'demo-rp',
      'string',
      'Client id of the demo OpenID Connect client (referenced from relying-party.yaml and the policies).',
    ),
    p(
      'demo.oidc.clientSecret',
      'demo-rp-secret-for-the-demo-only',
      'string',
      'Client secret of the demo OpenID Connect client. Demo only: a real client gets its own secret in relying-party.yaml.',
    ),
  ];
}

function p(key: string, def: string, type: PropertyType, description: string): PropertyDefinition {
  return { key, default: def, env: envName(key), type, description };
}

/**
 * idp.session.maxLifetime → IDP_SESSION_MAX_LIFETIME; idp.baseURL → IDP_BASE_URL;
 * idp.authn.LDAP.bindDNCredential → IDP_AUTHN_LDAP_BIND_DN_CREDENTIAL.
 */
function envName(key: string): string {
  return key
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[.-]/g, '_')
    .toUpperCase();
}
