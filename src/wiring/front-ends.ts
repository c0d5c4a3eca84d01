/**
 * The protocol front-ends as the IdP builds them (src/idp.ts lists them): each with its
 * credentials and the services it uses, from the earlier stages of the composition root.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { IdpConfiguration } from '../config/load-configuration.js';
import { loadOidcSigningKeys } from '../credentials/oidc-signing-keys.js';
import { loadSigningCredential } from '../credentials/signing-credential.js';
import { OidcFrontEnd } from '../frontend/oidc/oidc-front-end.js';
import { SamlEntities } from '../frontend/saml/saml-entities.js';
import { SamlFrontEnd } from '../frontend/saml/saml-front-end.js';
import { warnRelyingPartiesWithoutRelease } from '../relying-party/release-warnings.js';
import { configuredNameIdFormats } from '../frontend/saml/nameid/configured-formats.js';
import { NameIdGenerator } from '../frontend/saml/nameid/name-id-generator.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { RelyingPartyRegistry } from '../relying-party/relying-party.js';
import { loadSecret } from '../session/session-secret.js';
import type { Messages } from '../web/messages.js';
import type { Views } from '../web/views.js';
import type { AttributeServices } from './attribute-services.js';
import type { FrontEndStores } from './front-end-stores.js';

/** What the front-ends are built from: the earlier stages of the composition root. */
export interface FrontEndParts extends Omit<AttributeServices, 'closeDirectory'> {
  readonly config: IdpConfiguration;
  /** The root of the process log; each front-end logs under its own category. */
  readonly log: ProcessLog;
  /** Category net.shibboleth.idp, for start-up warnings about credentials. */
  readonly idpLog: ProcessLog;
  readonly audit: AuditLog;
  /** The state the front-ends keep between steps: on SQLite or the shared Redis (front-end-stores.ts). */
  readonly stores: FrontEndStores;
  readonly relyingParties: RelyingPartyRegistry;
  readonly views: Views;
  readonly messages: Messages;
}

/** SAML 2.0: the signing credential (a demo pair when none is installed) and the IdP's metadata. */
export async function samlFrontEnd({
  config,
  log,
  idpLog,
  audit,
  stores,
  resolver,
  filter,
  relyingParties,
  views,
  messages,
}: FrontEndParts): Promise<SamlFrontEnd> {
  const props = config.properties;
  const credential = await loadSigningCredential(props.signing, props.entityID, idpLog);
  const entities = new SamlEntities(props.entityID, props.baseURL, credential, {
    scope: props.scope,
    metadata: props.metadata,
    nameIdFormats: configuredNameIdFormats(relyingParties.all),
  });
  const samlLog = log.child('net.shibboleth.idp.saml');
  warnRelyingPartiesWithoutRelease(
    config.relyingParties,
    filter.policies,
    log.child('net.shibboleth.idp.attribute.filter'),
  );
  return new SamlFrontEnd({
    props,
    entities,
    signingKey: credential.xml,
    relyingParties,
    resolver,
    nameIds: new NameIdGenerator(
      props.entityID,
      stores.persistentIds,
      log.child('net.shibboleth.idp.saml.nameid'),
    ),
    audit,
    views,
    messages,
    impersonatedSessionLifetimeMs: props.impersonate.sessionLifetimeMs,
    log: samlLog,
  });
}

/** OpenID Connect: oidc-provider on the front-end stores, with its keys and cookie secret. */
export async function oidcFrontEnd({
  config,
  log,
  idpLog,
  audit,
  stores,
  directory,
  resolver,
  filter,
  relyingParties,
  views,
  messages,
}: FrontEndParts): Promise<OidcFrontEnd> {
  const props = config.properties;
  return new OidcFrontEnd({
    props,
    directory,
    relyingParties,
    definitions: config.attributeDefinitions,
    resolver,
    filter,
    audit,
    oidcAdapter: stores.oidcAdapter,
    records: stores.authorizationRecords,
    jwks: await loadOidcSigningKeys(props.oidc.keysFile, idpLog),
    cookieSecret: loadSecret(props.oidc.cookieSecretFile, 'idp.oidc.cookieSecretFile'),
    views,
    messages,
    log: log.child('net.shibboleth.idp.oidc'),
  });
}
