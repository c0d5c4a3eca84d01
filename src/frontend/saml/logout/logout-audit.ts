/**
 * The audit records of single logout (%P SAML2/Logout, act=logout; docs/auditing.md), each written
 * before the message it describes leaves: the LogoutRequest an SP sent (accepted, or answered
 * UnknownPrincipal — act=refuse, the session kept), each LogoutRequest the IdP propagates to a
 * session participant, and the final LogoutResponse. %u is the account the participant knows: for
 * an impersonated one the target, with the real user in %uu, as SSO records name them.
 */
import type { Request } from 'express';
import {
  AuditAction,
  AuditField,
  auditDetails,
  type AuditFields,
} from '../../../audit/audit-fields.js';
import { auditTimestamp } from '../../../audit/audit-format.js';
import { requestAuditFields } from '../../../audit/audit-record.js';
import type { SamlParticipant } from '../../../session/session-participants.js';
import { BINDING, SAML2_LOGOUT_PROFILE, type InboundBinding } from '../saml-bindings.js';

export interface LogoutAuditEntry {
  readonly relyingParty: string;
  /** The real user whose session it is (undefined: nobody is signed in). */
  readonly user: string | undefined;
  /** The participant entry the message is about, if any. */
  readonly participant?: SamlParticipant;
  readonly nameId?: { readonly value: string; readonly format?: string };
  readonly requestId?: string;
  readonly inResponseTo?: string;
  readonly responseId?: string;
  readonly inbound?: { readonly binding: InboundBinding; readonly signed: boolean };
  readonly outboundBinding?: string;
  readonly status?: string;
  readonly subStatus?: string;
  readonly refused?: boolean;
  readonly details?: Record<string, string | number | undefined>;
  readonly profile?: string;
}

export function logoutAuditFields(req: Request, e: LogoutAuditEntry): AuditFields {
  const nameId = e.participant?.nameId ?? e.nameId;
  return requestAuditFields(req, {
    [AuditField.START_TIME]: auditTimestamp(Date.now()),
    [AuditField.PROFILE]: e.profile ?? SAML2_LOGOUT_PROFILE,
    [AuditField.RELYING_PARTY]: e.relyingParty,
    ...accounts(e.user, e.participant),
    [AuditField.NAMEID]: nameId?.value,
    [AuditField.NAMEID_FORMAT]: nameId?.format,
    [AuditField.REQUEST_ID]: e.requestId,
    [AuditField.IN_RESPONSE_TO]: e.inResponseTo,
    [AuditField.RESPONSE_ID]: e.responseId,
    [AuditField.INBOUND_BINDING]: e.inbound && BINDING[e.inbound.binding],
    [AuditField.IS_SIGNED]: e.inbound && String(e.inbound.signed),
    [AuditField.OUTBOUND_BINDING]: e.outboundBinding,
    [AuditField.STATUS]: e.status,
    [AuditField.SUBSTATUS]: e.subStatus,
    [AuditField.ACTION]: e.refused ? AuditAction.REFUSE : AuditAction.LOGOUT,
    [AuditField.DETAILS]: e.details && auditDetails(e.details),
  });
}

/** %u and %uu: the account the relying party knows, and the real user behind an impersonated one. */
export function accounts(
  user: string | undefined,
  participant?: Pick<SamlParticipant, 'principal' | 'impersonated'>,
): Record<string, string | undefined> {
  if (!participant?.impersonated) return { [AuditField.USERNAME]: user };
  return {
    [AuditField.USERNAME]: participant.principal,
    [AuditField.IMPERSONATING_USERNAME]: user,
  };
}
