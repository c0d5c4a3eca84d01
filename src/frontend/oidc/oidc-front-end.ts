/**
 * OpenID Connect at the IdP: oidc-provider speaks the protocol (discovery at
 * /.well-known/openid-configuration, code flow with PKCE, ID token, userinfo, introspection), and
 * every authorization is handed to the same pipeline as SAML at
 * /idp/profile/oidc/interaction/<uid>: IdP session or password, attributes, intercepts —
 * impersonate included — then back to oidc-provider with the effective account.
 *
 * For each authorization the IdP makes a fresh grant for the effective account and records it
 * (authorization-grant.ts, authorization-records.ts). oidc-provider's own session is only a
 * carrier of one authorization (carrier-session.ts): each resume is issued on a fresh one, so
 * switching between the real user and an impersonated one never ends anybody's session
 * (oidc-provider would otherwise log the session out first) and parallel authorizations in one
 * browser never meet, and the IdP session — never touched by impersonation — stays the real
 * user's.
 */
import express, { type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import type { Adapter, KoaContextWithOIDC } from 'oidc-provider';
import type { AttributeFilter } from '../../attribute/attribute-filter.js';
import type { AttributeDefinition, AttributeResolver } from '../../attribute/attribute-resolver.js';
import { AuditAction, AuditField, auditDetails } from '../../audit/audit-fields.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { IdpProperties } from '../../config/idp-properties.js';
import type { PrivateJwks } from '../../credentials/oidc-signing-keys.js';
import { EVENTS, type IdpEvent } from '../../core/events.js';
import { IdpError } from '../../core/errors.js';
import type { UserDirectory } from '../../directory/user-directory.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { auditFieldsOf } from '../../audit/audit-record.js';
import type { ProfileRequestContext, ResolvedContext } from '../../core/request-context.js';
import type { OidcClient, RelyingPartyRegistry } from '../../relying-party/relying-party.js';
import type { Messages } from '../../web/messages.js';
import type { Views } from '../../web/views.js';
import type { HttpExchange } from '../../core/http-exchange.js';
import type { ProfilePipeline, ProtocolFrontEnd } from '../protocol-front-end.js';
import type { AuthorizationRecords } from './authorization-records.js';
import { resumeWithGrant } from './authorization-grant.js';
import { carrierSessionMiddleware } from './carrier-session.js';
import { silentReuseMiddleware } from './grant-retention.js';
import { idpInteractionPolicy, type Verdict } from './interaction-policy.js';
import { oidcAuditMiddleware, type OidcAuditDeps } from './oidc-audit.js';
import { idpLogoutMiddleware, logoutPages } from './oidc-logout.js';
import { refuseSilently, silentRefusalAuditMiddleware } from './oidc-silent-audit.js';
import { authorizationContext, type OidcInbound } from './authorization-context.js';
import { OIDC_FRONT_END, OIDC_PATHS, param } from './oidc-paths.js';
import { createOpenIdProvider } from './openid-provider.js';
import { renderErrorEvent } from './protocol-details.js';
import { RequestRecords } from './request-records.js';
import { answerStoreFailures } from './store-failures.js';

export interface OidcFrontEndDeps {
  readonly props: IdpProperties;
  readonly directory: Pick<UserDirectory, 'accountState'>;
  readonly relyingParties: RelyingPartyRegistry;
  readonly definitions: readonly AttributeDefinition[];
  readonly resolver: AttributeResolver;
  readonly filter: AttributeFilter;
  readonly audit: AuditLog;
  /** oidc-provider's persistence and the IdP's authorization records (src/wiring/front-end-stores.ts). */
  readonly oidcAdapter: new (model: string) => Adapter;
  readonly records: AuthorizationRecords;
  readonly jwks: PrivateJwks;
  readonly cookieSecret: string;
  readonly views: Views;
  readonly messages: Messages;
  readonly log: ProcessLog;
}

export class OidcFrontEnd implements ProtocolFrontEnd {
  readonly id = OIDC_FRONT_END;
  readonly paths = Object.values(OIDC_PATHS);
  readonly sessionlessPaths = [OIDC_PATHS.jwks];
  readonly provider: Provider;
  private readonly records: RequestRecords;
  private flow: ProfilePipeline | undefined;

  constructor(private readonly deps: OidcFrontEndDeps) {
    this.records = new RequestRecords(deps.records);
    this.provider = createOpenIdProvider({
      props: deps.props,
      relyingParties: deps.relyingParties,
      definitions: deps.definitions,
      resolver: deps.resolver,
      filter: deps.filter,
      records: this.records,
      accountState: (account) => deps.directory.accountState(account),
      adapter: deps.oidcAdapter,
      jwks: deps.jwks,
      cookieSecret: deps.cookieSecret,
      policy: idpInteractionPolicy((ctx) => this.judge(ctx)),
      logoutPages: logoutPages(deps),
      renderError: async (ctx, out, err) => {
        ctx.type = 'html';
        ctx.body =
          err instanceof IdpError
            ? await this.errorPage(ctx, err.event)
            : await this.errorPage(
                ctx,
                renderErrorEvent(out.error),
                `${out.error}: ${out.error_description ?? ''}`,
              );
      },
    });
    answerStoreFailures(this.provider, deps.log);
    this.provider.use(carrierSessionMiddleware(this.provider));
    this.provider.use(silentReuseMiddleware(deps.props.oidc, deps.records));
    const auditDeps: OidcAuditDeps = {
      audit: deps.audit,
      records: this.records,
      log: deps.log,
      errorPage: (ctx, event) => this.errorPage(ctx, event),
    };
    this.provider.use(oidcAuditMiddleware(auditDeps));
    this.provider.use(silentRefusalAuditMiddleware(auditDeps));
    this.provider.use(idpLogoutMiddleware(deps));
  }

  /** The interaction endpoint (the pipeline) and, after it, oidc-provider's own endpoints. */
  routes(flow: ProfilePipeline): Router {
    this.flow = flow;
    const router = express.Router();
    const form = express.urlencoded({ extended: false, limit: '64kb' });
    router.all(`${OIDC_PATHS.interaction}/:uid`, form, async (req, res) => {
      const execution = typeof req.query.execution === 'string' ? req.query.execution : undefined;
      if (execution) return flow.continue({ req, res }, execution);
      if (req.method !== 'GET') {
        res.status(405).set('Allow', 'GET').end();
        return;
      }
      const details = await this.interaction(req, res, req.params.uid);
      const params = details.params as Record<string, unknown>;
      const client = this.deps.relyingParties.oidc(param(params.client_id));
      if (!client)
        throw new IdpError(
          'UNKNOWN_RELYING_PARTY',
          `no OpenID Connect client ${param(params.client_id)} is configured`,
        );
      await flow.start({ req, res }, authorizationContext(params, client, details.uid));
    });
    const callback = this.provider.callback();
    router.use((req, res, next) => {
      const path = req.path;
      if (path === OIDC_PATHS.discovery || path.startsWith(OIDC_PATHS.prefix))
        return void callback(req, res);
      next();
    });
    return router;
  }

  formTargets(prc: ProfileRequestContext): string[] {
    return [(prc.inbound as OidcInbound).redirectUri];
  }

  /** The pending authorization, resumed with a fresh grant (authorization-grant.ts). */
  async respond(exchange: HttpExchange, prc: ResolvedContext): Promise<void> {
    const inbound = prc.inbound as OidcInbound;
    await this.interaction(exchange.req, exchange.res, inbound.uid);
    const client = this.client(prc);
    const { props, definitions } = this.deps;
    const parts = { provider: this.provider, records: this.deps.records, props, definitions };
    await resumeWithGrant(parts, exchange, prc, client, inbound.scope);
  }

  async respondError(
    exchange: HttpExchange,
    prc: ProfileRequestContext,
    event: IdpEvent,
  ): Promise<void> {
    const { req, res } = exchange;
    // How a non-local event is told to the client (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6).
    const error = EVENTS[event].oidc;
    await this.interaction(req, res, (prc.inbound as OidcInbound).uid);
    await this.deps.audit.record(
      auditFieldsOf(prc, req, {
        [AuditField.EVENT]: event,
        [AuditField.STATUS]: error,
        [AuditField.ACTION]: AuditAction.REFUSE,
        [AuditField.DETAILS]: auditDetails({ error }),
      }),
    );
    await this.provider.interactionFinished(
      req,
      res,
      { error, error_description: this.deps.messages.forEvent(event).title },
      { mergeWithLastSubmission: false },
    );
  }

  /** Decides an authorization request inside oidc-provider (see interaction-policy.ts). */
  private async judge(ctx: KoaContextWithOIDC): Promise<Verdict> {
    if ((ctx.oidc.result as { idp?: unknown } | undefined)?.idp) return 'done';
    if (!ctx.oidc.prompts.has('none')) return 'pipeline';
    return this.judgeSilent(ctx);
  }

  /**
   * A silent request (prompt=none): answered only when the pipeline would answer it without a
   * page. A refusal notes the IdP's event for its audit record (oidc-silent-audit.ts).
   */
  private async judgeSilent(ctx: KoaContextWithOIDC): Promise<Verdict> {
    const client = this.deps.relyingParties.oidc(ctx.oidc.client?.clientId ?? '');
    if (!client || !this.flow) return refuseSilently(ctx, 'UnknownRelyingParty', 'login_required');
    const prc = authorizationContext(ctx.oidc.params as Record<string, unknown>, client, '');
    const run = await this.flow.dryRun({ req: ctx.req as Request, res: ctx.res as Response }, prc);
    if ('event' in run)
      return refuseSilently(
        ctx,
        run.event,
        run.step === 'authenticate' ? 'login_required' : 'interaction_required',
      );
    if (ctx.oidc.session?.accountId !== run.subject.principalName)
      return refuseSilently(ctx, 'NoPassive', 'login_required');
    const scopes = ctx.oidc.grant?.getOIDCScopeFiltered(
      new Set(param(ctx.oidc.params?.scope).split(' ')),
    );
    return scopes ? 'done' : refuseSilently(ctx, 'NoPassive', 'interaction_required');
  }

  /** The pending authorization of this browser, which must be the one in the URL. */
  private async interaction(req: Request, res: Response, uid: string | undefined) {
    try {
      const details = await this.provider.interactionDetails(req, res);
      if (uid && details.uid !== uid) throw new Error('interaction mismatch');
      return details;
    } catch (err) {
      throw new IdpError(
        'FLOW_EXECUTION_STALE',
        'the authorization request has expired or belongs to another browser',
        { cause: err },
      );
    }
  }

  private client(prc: ProfileRequestContext): OidcClient {
    const client = this.deps.relyingParties.oidc(prc.relyingPartyId);
    if (!client)
      throw new IdpError(
        'UNKNOWN_RELYING_PARTY',
        `${prc.relyingPartyId} is not an OpenID Connect client`,
      );
    return client;
  }

  private errorPage(ctx: KoaContextWithOIDC, event: IdpEvent, detail?: string): Promise<string> {
    return this.deps.views.renderToString(
      'error',
      this.deps.views.errorModel(event, detail, {
        relyingParty: this.deps.relyingParties.oidc(String(ctx.oidc?.client?.clientId ?? '')),
      }),
      (ctx.res as Response).locals?.cspNonce as string | undefined,
    );
  }
}
