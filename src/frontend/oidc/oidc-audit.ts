/**
 * Audit records for what the OpenID Provider releases: one per authorization response (the code
 * reaching the client) and one per token response. The record is on disk before the response
 * leaves: the middleware runs after oidc-provider has built the response but before Koa sends it,
 * and if the write fails the response is replaced by an error and the code or tokens are revoked.
 *
 * Codes and tokens are bearer secrets, so %i holds a hash (SHA-256, base64url, 22 characters) of
 * the ID token — or of the code for an authorization response — never the value itself; whoever
 * holds the token can compute the hash and find its record. A token record names its
 * authorization in %det: `authorization=` the %i of the authorization record whose code it
 * redeemed, and on both `grant=` a hash of the grant, shared by every record issued under it
 * (refreshes included); for an impersonation, `level=` impersonate or delegate (and `reason=` when
 * one was given), from the grant's authorization record. Silent (prompt=none) refusals are
 * recorded too (oidc-silent-audit.ts).
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { KoaContextWithOIDC } from 'oidc-provider';
import {
  AuditAction,
  AuditField,
  auditDetails,
  type AuditFields,
} from '../../audit/audit-fields.js';
import { auditTimestamp } from '../../audit/audit-format.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { ProcessLog } from '../../logging/process-log.js';
import { idpSessionHandle } from '../../audit/audit-record.js';
import { noteImpersonation } from '../../session/impersonation-history.js';
import { currentTransactionId } from '../../core/transaction.js';
import type { IdpEvent } from '../../core/events.js';
import { IdpError } from '../../core/errors.js';
import { impersonationLevel, type AuthorizationRecord } from './authorization-records.js';
import type { RequestRecords } from './request-records.js';
import { OIDC_SSO_PROFILE, OIDC_TOKEN_PROFILE, param } from './oidc-paths.js';

export function tokenHash(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

export interface OidcAuditDeps {
  readonly audit: AuditLog;
  readonly records: RequestRecords;
  readonly log: ProcessLog;
  /** The HTML of the error page shown when an authorization response cannot be audited. */
  readonly errorPage: (ctx: KoaContextWithOIDC, event: IdpEvent) => Promise<string>;
}

export function oidcAuditMiddleware(deps: OidcAuditDeps) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const route = ctx.oidc?.route;
    if (
      (route === 'resume' || route === 'authorization') &&
      ctx.oidc.entities.AuthorizationCode &&
      isRedirect(ctx)
    ) {
      await auditAuthorization(ctx, deps);
    } else if (
      route === 'token' &&
      ctx.status === 200 &&
      typeof (ctx.body as { access_token?: unknown })?.access_token === 'string'
    ) {
      await auditTokens(ctx, deps);
    }
  };
}

async function auditAuthorization(ctx: KoaContextWithOIDC, deps: OidcAuditDeps): Promise<void> {
  const code = ctx.oidc.entities.AuthorizationCode!;
  let record: AuthorizationRecord | undefined;
  try {
    record = await deps.records.get(ctx, code.grantId);
  } catch (err) {
    // No record, no audit record: the code is withheld (and expires unredeemed if it cannot go).
    await code.destroy().catch(() => undefined);
    return withholdAuthorization(ctx, deps, err);
  }
  const fields = common(ctx, record, OIDC_SSO_PROFILE, code.accountId!);
  fields.set(AuditField.ASSERTION_ID, [tokenHash(code.jti)]);
  fields.set(AuditField.OUTBOUND_BINDING, [param(ctx.oidc.params?.response_mode, 'query')]);
  fields.set(
    AuditField.DETAILS,
    auditDetails({
      grant: hashOf(code.grantId),
      level: impersonationLevel(record),
      reason: record?.reason,
    }),
  );
  const login = (ctx.req as Request).session?.idp;
  if (ctx.oidc.route === 'authorization' && login) {
    // A silent (prompt=none) authorization: the IdP session answered it in this very request.
    fields.set(AuditField.START_TIME, [auditTimestamp(Date.now())]);
    fields.set(AuditField.AUTHN_INSTANT, [auditTimestamp(login.authnInstant)]);
    fields.set(AuditField.AUTHN_CONTEXT, [login.authnMethod]);
    fields.set(AuditField.SSO, ['true']);
  }
  try {
    await deps.audit.record(fields);
  } catch (err) {
    await code.destroy();
    return withholdAuthorization(ctx, deps, err);
  }
  // Recorded: now the tester's "Who am I" page may list it.
  const level = impersonationLevel(record);
  if (record && level)
    noteImpersonation(ctx.req as Request, {
      target: record.subject,
      relyingParty: record.clientId,
      level,
      at: Date.now(),
    });
}

/** The authorization response could not be recorded: an error page instead of the redirect. */
export async function withholdAuthorization(
  ctx: KoaContextWithOIDC,
  deps: OidcAuditDeps,
  err: unknown,
): Promise<void> {
  deps.log.error(
    `Authorization response for ${ctx.oidc.client?.clientId ?? '?'} withheld: ${(err as Error).message}`,
  );
  ctx.remove('Location');
  // The audit log's own failure is a 500; a store's (the shared Redis) its own status, 503.
  const failure = err instanceof IdpError ? err : undefined;
  ctx.status = failure?.status ?? 500;
  ctx.type = 'html';
  ctx.body = await deps.errorPage(ctx, failure?.event ?? 'AuditLogFailure');
}

async function auditTokens(ctx: KoaContextWithOIDC, deps: OidcAuditDeps): Promise<void> {
  try {
    await deps.audit.record(await tokenResponseFields(ctx, deps.records));
  } catch (err) {
    await withholdTokens(ctx, deps.log, err);
  }
}

async function tokenResponseFields(
  ctx: KoaContextWithOIDC,
  records: RequestRecords,
): Promise<AuditFields> {
  const body = ctx.body as { access_token: string; id_token?: string };
  const e = ctx.oidc.entities;
  const record = await records.get(ctx, tokenGrantId(e));
  const fields = common(
    ctx,
    record,
    OIDC_TOKEN_PROFILE,
    e.AccessToken?.accountId ?? record?.subject ?? '',
  );
  fields.set(AuditField.ASSERTION_ID, [tokenHash(body.id_token ?? body.access_token)]);
  fields.set(AuditField.INBOUND_BINDING, [param(ctx.oidc.params?.grant_type)]);
  const code = e.AuthorizationCode;
  fields.set(
    AuditField.DETAILS,
    auditDetails({
      authorization: code ? tokenHash(code.jti) : undefined,
      grant: hashOf(tokenGrantId(e)),
      level: impersonationLevel(record),
      reason: record?.reason,
    }),
  );
  return fields;
}

/** The grant a token response comes from: the access token's, else the code's or refresh token's it was exchanged for. */
function tokenGrantId(e: KoaContextWithOIDC['oidc']['entities']): string | undefined {
  return e.AccessToken?.grantId ?? e.AuthorizationCode?.grantId ?? e.RefreshToken?.grantId;
}

/** The response could not be recorded: the tokens are revoked and the client gets an error instead. */
async function withholdTokens(
  ctx: KoaContextWithOIDC,
  log: ProcessLog,
  err: unknown,
): Promise<void> {
  log.error(
    `Token response for ${ctx.oidc.client?.clientId ?? '?'} withheld: ${(err as Error).message}`,
  );
  const e = ctx.oidc.entities;
  await Promise.all([e.AccessToken?.destroy(), e.RefreshToken?.destroy()]);
  ctx.status = 500;
  ctx.body = {
    error: 'server_error',
    error_description: 'the response could not be recorded in the audit log',
  };
}

function hashOf(value: string | undefined): string | undefined {
  return value ? tokenHash(value) : undefined;
}

/** The fields every OIDC record has; the action is a release unless the caller says otherwise. */
export function common(
  ctx: KoaContextWithOIDC,
  record: AuthorizationRecord | undefined,
  profile: string,
  subject: string,
): AuditFields {
  const req = ctx.req as Request;
  const fields: AuditFields = new Map();
  const put = (field: string, value: string | undefined) => {
    if (value !== undefined && value !== '') fields.set(field, [value]);
  };
  put(AuditField.REMOTE_ADDR, req.ip ?? ctx.ip);
  put(AuditField.START_TIME, record ? auditTimestamp(record.startTime) : undefined);
  put(AuditField.PROFILE, profile);
  put(AuditField.USERNAME, subject);
  put(AuditField.IMPERSONATING_USERNAME, record?.impersonator);
  for (const [field, value] of requestedTargetFields(record)) put(field, value);
  put(AuditField.RELYING_PARTY, ctx.oidc.client?.clientId);
  put(AuditField.RESPONDER, ctx.oidc.issuer);
  put(AuditField.AUTHN_INSTANT, record ? auditTimestamp(record.authnInstant) : undefined);
  put(AuditField.AUTHN_CONTEXT, record?.authnMethod);
  put(AuditField.SSO, record ? String(record.sso) : undefined);
  put(AuditField.USER_AGENT, ctx.get('user-agent'));
  put(AuditField.SESSION_ID, idpSessionHandle(req));
  put(AuditField.URI, ctx.path);
  put(AuditField.TRANSACTION_ID, currentTransactionId());
  put(AuditField.ACTION, AuditAction.RELEASE);
  if (record && record.claims.length > 0) fields.set(AuditField.ATTRIBUTES, [...record.claims]);
  return fields;
}

function isRedirect(ctx: KoaContextWithOIDC): boolean {
  return (
    (ctx.status >= 300 && ctx.status < 400) ||
    (ctx.status === 200 && ctx.oidc.params?.response_mode === 'form_post')
  );
}

/** %ut and %utc of the authorization the record describes (none when no target was named). */
function requestedTargetFields(record: AuthorizationRecord | undefined): [string, string][] {
  const target = record?.requestedTarget;
  if (!target) return [];
  return [
    [AuditField.REQUESTED_TARGET, target.typed],
    [AuditField.REQUESTED_TARGET_CANONICAL, target.account],
  ];
}
