/**
 * Composition root: reads and validates the configuration, builds every service in pipeline order,
 * and returns the IdP ready to listen. Nothing here listens on import.
 *
 *   configuration → logs + audit → storage, directory, attributes → access control + intercepts
 *     → protocol front-ends → profile flow + app
 *
 * Each stage is one builder, here or in src/wiring/ (logs.ts, attribute-services.ts,
 * front-ends.ts), given what the earlier stages built. A protocol front-end is one line in
 * buildFrontEnds' list; what must be closed is one line in createIdp's list.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { policyReferences } from './access/policy-references.js';
import { ReloadableAccessControlService } from './access/reloadable-access-control.js';
import { reloadAuditFields } from './admin/admin-audit.js';
import { loadConfiguration, type IdpConfiguration } from './config/load-configuration.js';
import type { ProtocolFrontEnd } from './frontend/protocol-front-end.js';
import { verifyMetadataSignature } from './frontend/saml/metadata-signature.js';
import { availableInterceptFlows } from './intercept/intercept-registry.js';
import { InterceptRunner } from './intercept/intercept-runner.js';
import type { ProcessLog } from './logging/process-log.js';
import { closeInOrder } from './core/close-in-order.js';
import { DEFAULT_CONF_DIR, PROJECT_ROOT } from './core/paths.js';
import { ProfileFlow, profileSteps } from './profile/profile-flow.js';
import type { ProfileServices } from './profile/profile-services.js';
import { RelyingPartyRegistry } from './relying-party/relying-party.js';
import { loadSecret } from './session/session-secret.js';
import type { BusyPolicy } from './storage/sqlite-busy.js';
import { openSqliteDatabase, type SqliteDatabase } from './storage/sqlite-database.js';
import { createApp } from './web/app.js';
import { answerClientErrors } from './web/client-errors.js';
import { Messages } from './web/messages.js';
import { Views } from './web/views.js';
import { whoAmIRoutes, WHOAMI_PATHS } from './web/whoami.js';
import { signOutTellingParticipants } from './frontend/saml/logout/logout-progress.js';
import type { ClusterMembership } from './cluster/cluster.js';
import { joinClusterIfShared } from './wiring/cluster-node.js';
import { adminRoutes, ADMIN_ROUTE_PATHS } from './wiring/admin-routes.js';
import { openAttributeServices, type AttributeServices } from './wiring/attribute-services.js';
import { frontEndStoresFor } from './wiring/front-end-stores.js';
import { oidcFrontEnd, samlFrontEnd, type FrontEndParts } from './wiring/front-ends.js';
import { openLogs, type Logs } from './wiring/logs.js';
import { openSharedState, type SharedState } from './wiring/shared-state.js';
import { startMetadataRefresh } from './wiring/saml-metadata.js';

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
  const config = configurationFor(options);
  const logs = await openLogs(config, options.console);
  const storage = await openStorage(config, logs);
  const access = await startAccessControl(config, options, logs, storage);
  const metadata = startMetadataRefresh({
    samlMetadata: config.samlMetadata,
    relyingParties: access.relyingParties,
    log: logs.log.child('org.opensaml.saml.metadata'),
    audit: logs.audit,
  });
  const web = await buildFrontEnds(config, logs, storage, access);
  const cluster = await joinClusterIfShared(config.properties, logs.log, storage.shared, access);
  const app = buildApp(config, logs, storage, access, web, cluster);
  // Closed in this order, after the server.
  return serve(config, app, logs, web, [
    () => metadata.close(),
    () => cluster?.close(),
    () => storage.shared.close(),
    () => access.accessControl.close(),
    () => storage.closeDirectory(),
    () => logs.audit.close(),
    () => storage.db.close(),
    () => logs.log.close(),
  ]);
}

function configurationFor(options: IdpOptions): IdpConfiguration {
  const env = options.env ?? process.env;
  const home = path.resolve(options.home ?? env.IDP_HOME ?? PROJECT_ROOT);
  const confDir = path.resolve(options.confDir ?? env.IDP_CONF_DIR ?? DEFAULT_CONF_DIR);
  return loadConfiguration(
    { home, confDir, env, overrides: options.overrides },
    verifyMetadataSignature,
  );
}

interface Storage extends AttributeServices {
  readonly db: SqliteDatabase;
  readonly busy: BusyPolicy;
  /** Sessions, flow executions, login failures: SQLite or Redis (idp.storage.type). */
  readonly shared: SharedState;
}

/** The SQLite database, the user directory and attribute services over it, and the shared state. */
async function openStorage(config: IdpConfiguration, { log }: Logs): Promise<Storage> {
  const props = config.properties;
  const db = openSqliteDatabase(props.storagePath);
  const busy = { maxWaitMs: props.storageBusyTimeoutMs };
  const attributes = await openAttributeServices(config, db, busy, log);
  const shared = await openSharedState(props, db, busy, log.child('net.shibboleth.idp.storage'));
  return { db, busy, shared, ...attributes };
}

interface Access {
  readonly accessControl: ReloadableAccessControlService;
  readonly intercepts: InterceptRunner;
  readonly relyingParties: RelyingPartyRegistry;
}

/** The access-control policies, the intercept flows they guard, and the relying parties using them. */
async function startAccessControl(
  config: IdpConfiguration,
  options: IdpOptions,
  { log, idpLog, audit }: Logs,
  { directory, resolver, filter }: Storage,
): Promise<Access> {
  const props = config.properties;
  const accessControl = await ReloadableAccessControlService.start({
    confDir: props.confDir,
    lookup: props.lookup,
    log: log.child('net.shibboleth.idp.access'),
    references: policyReferences(props.lookup),
    watch: props.accessControl.watch,
    signal: options.reloadSignal ?? null,
    onReload: (report) => audit.record(reloadAuditFields(report)),
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
  intercepts.reportUnknownFlows(config.relyingParties);
  return { accessControl, intercepts, relyingParties };
}

interface Web {
  readonly messages: Messages;
  readonly views: Views;
  readonly frontEnds: readonly ProtocolFrontEnd[];
}

/** The views and the protocol front-ends, built in this order. */
async function buildFrontEnds(
  config: IdpConfiguration,
  logs: Logs,
  storage: Storage,
  { relyingParties }: Access,
): Promise<Web> {
  const messages = new Messages(config.messages);
  const views = new Views(messages);
  const shared: FrontEndParts = {
    config,
    log: logs.log,
    idpLog: logs.idpLog,
    audit: logs.audit,
    stores: frontEndStoresFor(config.properties, storage),
    directory: storage.directory,
    resolver: storage.resolver,
    filter: storage.filter,
    relyingParties,
    views,
    messages,
  };
  const frontEnds = [await samlFrontEnd(shared), await oidcFrontEnd(shared)];
  return { messages, views, frontEnds };
}

/** The profile flow over the stores, its steps, and the express app mounting every front-end. */
function buildApp(
  config: IdpConfiguration,
  { log, idpLog, audit }: Logs,
  storage: Storage,
  access: Access,
  web: Web,
  cluster: ClusterMembership | undefined,
) {
  const props = config.properties;
  const { directory, resolver, filter, shared } = storage;
  const { accessControl, intercepts, relyingParties } = access;
  const { frontEnds, views } = web;
  const services: ProfileServices = {
    props,
    relyingParties,
    directory,
    executions: shared.executions,
    frontEnds: new Map(frontEnds.map((f) => [f.id, f])),
    audit,
    localEvents: config.localEvents,
    views,
    log: idpLog,
  };
  const { throttle } = shared;
  const flow = new ProfileFlow(
    services,
    profileSteps({ ...services, throttle, resolver, filter, intercepts }),
  );
  const app = createApp({
    props,
    frontGuards: frontEnds.flatMap((f) => (f.admission ? [f.admission()] : [])),
    sessionStore: shared.sessionStore,
    sessionSecret: loadSecret(props.session.secretFile, 'idp.session.secretFile'),
    routers: [
      ...frontEnds.map((f) => f.routes(flow)),
      whoAmIRoutes({ props, views, audit, endSession: signOutTellingParticipants(props) }),
      ...adminRoutes({
        config,
        accessControl,
        resolver,
        views,
        audit,
        log: log.child('net.shibboleth.idp.admin'),
        cluster,
      }),
    ],
    paths: [...frontEnds.flatMap((f) => f.paths), ...WHOAMI_PATHS, ...ADMIN_ROUTE_PATHS],
    sessionlessPaths: frontEnds.flatMap((f) => f.sessionlessPaths),
    views,
    log: idpLog,
  });
  return app;
}

/** The IdP ready to listen; close() stops the server, then closes `closing` in order. */
function serve(
  config: IdpConfiguration,
  app: Idp['app'],
  { log, idpLog }: Logs,
  { views }: Web,
  closing: readonly (() => void | Promise<void>)[],
): Idp {
  const props = config.properties;
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
      await answerClientErrors(server, views);
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
      await closeInOrder(closing);
    },
  };
}
