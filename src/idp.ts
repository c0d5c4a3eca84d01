/**
 * Composition root: reads and validates the configuration, builds every service in pipeline order,
 * and returns the IdP ready to listen. Nothing here listens on import.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { policyReferences } from './access/policy-references.js';
import { ReloadableAccessControlService } from './access/reloadable-access-control.js';
import { accessControlAdminRoutes, ADMIN_PATHS } from './admin/access-control-admin.js';
import { AttributeFilter } from './attribute/attribute-filter.js';
import { AttributeResolver } from './attribute/attribute-resolver.js';
import { DirectoryDataConnector } from './attribute/data-connector.js';
import { AuditFormatter, parseAuditFormat } from './audit/audit-format.js';
import { AuditLog } from './audit/audit-log.js';
import { FileAuditSink } from './audit/file-audit-sink.js';
import { LoginThrottle } from './authn/login-throttle.js';
import { loadConfiguration, type IdpConfiguration } from './config/load-configuration.js';
import { loadSigningCredential } from './credentials/signing-credential.js';
import { SqliteUserDirectory } from './directory/sqlite-user-directory.js';
import type { ProtocolFrontEnd } from './frontend/protocol-front-end.js';
import { SamlEntities } from './frontend/saml/saml-entities.js';
import { SamlFrontEnd } from './frontend/saml/saml-front-end.js';
import { OidcFrontEnd } from './frontend/oidc/oidc-front-end.js';
import { loadOidcSigningKeys } from './credentials/oidc-signing-keys.js';
import { availableInterceptFlows } from './intercept/intercept-registry.js';
import { InterceptRunner } from './intercept/intercept-runner.js';
import { createProcessLog, type ProcessLog } from './logging/process-log.js';
import { DEFAULT_CONF_DIR, PROJECT_ROOT } from './core/paths.js';
import { ProfileFlow } from './profile/profile-flow.js';
import type { ProfileServices } from './profile/profile-services.js';
import { RelyingPartyRegistry } from './relying-party/relying-party.js';
import { loadSecret } from './session/session-secret.js';
import { SqliteFlowExecutionStore } from './session/sqlite-flow-execution-store.js';
import { SqliteSessionStore } from './session/sqlite-session-store.js';
import { openSqliteDatabase } from './storage/sqlite-database.js';
import { createApp } from './web/app.js';
import { answerClientErrors } from './web/client-errors.js';
import { Messages } from './web/messages.js';
import { Views } from './web/views.js';

const REQUEST_TIMEOUT_MS = 30_000;

export interface IdpOptions {
  /** Folder for data/, logs/ and credentials/ (default: IDP_HOME or the project folder). */
  readonly home?: string;
  /** Configuration folder (default: IDP_CONF_DIR or the project's conf/). */
  readonly confDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Property overrides, winning over idp.properties and the environment. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Write the process log to standard output too (default true). */
  readonly console?: boolean;
  /** Signal that reloads the access-control policies (`npm start`: SIGHUP; default none). */
  readonly reloadSignal?: NodeJS.Signals | null;
}

export interface Idp {
  readonly config: IdpConfiguration;
  readonly app: ReturnType<typeof createApp>;
  readonly log: ProcessLog;
  /** Listens on idp.listenAddress:idp.port (port 0 picks a free one) and returns the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export async function createIdp(options: IdpOptions = {}): Promise<Idp> {
  const env = options.env ?? process.env;
  const home = path.resolve(options.home ?? env.IDP_HOME ?? PROJECT_ROOT);
  const confDir = path.resolve(options.confDir ?? env.IDP_CONF_DIR ?? DEFAULT_CONF_DIR);
  const config = loadConfiguration({ home, confDir, env, overrides: options.overrides });
  const props = config.properties;

  const log = createProcessLog({
    file: props.logs.processFile,
    fileLevel: props.logs.fileLevel,
    consoleLevel: props.logs.consoleLevel,
    console: options.console,
  });
  const idpLog = log.child('net.shibboleth.idp');
  const auditLog = new AuditLog(
    new AuditFormatter(parseAuditFormat(config.audit.format), config.audit.fieldReplacements),
    await FileAuditSink.open(props.logs.auditFile, log.child('net.shibboleth.idp.audit')),
  );

  const db = openSqliteDatabase(props.storagePath);
  const busy = { maxWaitMs: props.storageBusyTimeoutMs };
  const directory = await SqliteUserDirectory.open(
    db,
    { caseSensitive: props.directory.caseSensitive, maxLength: props.impersonate.maxNameLength },
    { file: props.directory.seedFile, lookup: props.lookup },
    busy,
  );
  const resolver = new AttributeResolver(
    config.attributeDefinitions,
    config.dataConnectors.map((c) => new DirectoryDataConnector(c.id, directory)),
  );
  const filter = new AttributeFilter(config.attributeFilterPolicies);
  const accessControl = await ReloadableAccessControlService.start({
    confDir,
    lookup: props.lookup,
    log: log.child('net.shibboleth.idp.access'),
    references: policyReferences(props.lookup),
    watch: props.accessControl.watch,
    signal: options.reloadSignal ?? null,
  });
  const intercepts = new InterceptRunner(
    availableInterceptFlows(props, {
      accessControl,
      directory,
      resolver,
      filter,
      log: log.child('net.shibboleth.idp.profile.interceptor'),
    }),
    idpLog,
  );
  const relyingParties = new RelyingPartyRegistry(config.relyingParties, config.resourceServers);
  for (const rp of config.relyingParties) {
    const unknown = intercepts.unknownFlows(rp);
    if (unknown.length > 0) {
      idpLog.error(`${rp.declaredAt}: ${rp.id}: postAuthenticationFlows names unknown flow(s) ${unknown.join(', ')}; its requests will fail with InvalidProfileConfiguration`);
    }
  }

  const messages = new Messages(config.messages);
  const views = new Views(messages);
  const credential = await loadSigningCredential(props.signing, props.entityID, idpLog);
  const entities = new SamlEntities(props.entityID, props.baseURL, credential);
  const saml = new SamlFrontEnd({ props, entities, signingKey: credential.xml, relyingParties, resolver, audit: auditLog, views, messages, log: log.child('net.shibboleth.idp.saml') });

  const oidc = new OidcFrontEnd({
    props,
    directory,
    relyingParties,
    definitions: config.attributeDefinitions,
    resolver,
    filter,
    audit: auditLog,
    db,
    jwks: await loadOidcSigningKeys(props.oidc.keysFile, idpLog),
    cookieSecret: loadSecret(props.oidc.cookieSecretFile, 'idp.oidc.cookieSecretFile'),
    views,
    messages,
    log: log.child('net.shibboleth.idp.oidc'),
  });

  const frontEnds: readonly ProtocolFrontEnd[] = [saml, oidc];

  const sessionStore = new SqliteSessionStore(db, props.session.timeoutMs, busy);
  const services: ProfileServices = {
    props,
    relyingParties,
    directory,
    throttle: new LoginThrottle(
      db,
      { maxFailures: props.login.maxFailures, maxFailuresPerAccount: props.login.maxFailuresPerAccount, windowMs: props.login.failureWindowMs },
      busy,
    ),
    resolver,
    filter,
    intercepts,
    executions: new SqliteFlowExecutionStore(db, busy),
    frontEnds: new Map(frontEnds.map((f) => [f.id, f])),
    audit: auditLog,
    localEvents: config.localEvents,
    views,
    log: idpLog,
  };
  const flow = new ProfileFlow(services);
  const app = createApp({
    props,
    frontGuards: frontEnds.flatMap((f) => (f.admission ? [f.admission()] : [])),
    sessionStore,
    sessionSecret: loadSecret(props.session.secretFile, 'idp.session.secretFile'),
    routers: [
      ...frontEnds.map((f) => f.routes(flow)),
      accessControlAdminRoutes({ props, accessControl, resolver, views, log: log.child('net.shibboleth.idp.admin') }),
    ],
    paths: [...frontEnds.flatMap((f) => f.paths), ...Object.values(ADMIN_PATHS)],
    sessionlessPaths: frontEnds.flatMap((f) => f.sessionlessPaths),
    views,
    log: idpLog,
  });

  let server: Server | undefined;
  return {
    config,
    app,
    log,
    async listen() {
      server = createServer(app);
      // A whole request (headers and body) must arrive within this; Node's default, 5 minutes, lets
      // a slow client hold a connection and a parser for that long. The IdP's forms are small.
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      server.headersTimeout = Math.min(server.headersTimeout, REQUEST_TIMEOUT_MS);
      await answerClientErrors(server, views, messages);
      server.listen(props.port, props.listenAddress);
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      idpLog.info(`IdP ${props.entityID} listening on ${props.listenAddress}:${port}`);
      return port;
    },
    async close() {
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      sessionStore.close();
      accessControl.close();
      await auditLog.close();
      db.close();
      await log.close();
    },
  };
}
