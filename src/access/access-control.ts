/**
 * Extension point: named access-control policies (Shibboleth's AccessControlService). A caller asks
 * for a policy by name and gets an AccessControl; a name with no policy behind it gets one that
 * denies everything, so enabling a feature without writing its policy is safe.
 */
import type { AttributeValues } from '../core/attribute-values.js';
import { quoted, type ProcessLog } from '../logging/process-log.js';

export interface AccessRequest {
  /** The real (authenticated) principal — never the impersonated one. */
  readonly subject: string;
  /** The real principal's unfiltered attributes. */
  readonly attributes: AttributeValues;
  /** Relying party id: SAML entity ID or OIDC client id. */
  readonly relyingParty: string;
  readonly operation: string;
  /** What the operation is about (for impersonation: the requested account); "" when none. */
  readonly resource: string;
  /** The client's IP address, for policies on where a request comes from (admin endpoints). */
  readonly clientAddress?: string;
  /** The requested account's unfiltered attributes (the specific impersonation check; else none). */
  readonly targetAttributes?: AttributeValues;
  /** The impersonation level asked for (identify, impersonate, delegate); "" or absent: none. */
  readonly level?: string;
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly policy: string;
  /** The policy rules that decided (casbin's enforceEx explanation); empty when none matched. */
  readonly matched: readonly (readonly string[])[];
  /** Where each matched rule is written ("conf/access-control/x.policy.csv:12"), when known. */
  readonly matchedAt?: readonly string[];
}

export interface AccessControl {
  checkAccess(request: AccessRequest): AccessDecision;
}

export interface AccessControlService {
  getInstance(policyName: string): AccessControl;
}

function denyAll(policy: string): AccessControl {
  return { checkAccess: () => ({ allowed: false, policy, matched: [] }) };
}

/** Shibboleth's answer to a name with no policy behind it: a WARN, and a policy that denies. */
export function missingPolicy(policyName: string, log: ProcessLog): AccessControl {
  log.warn(`No policy named ${quoted(policyName)} found, returning default denial policy`);
  return denyAll(policyName);
}
