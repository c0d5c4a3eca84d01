/**
 * relying-party.yaml `impersonation:` — how the impersonate form treats one SAML SP or OIDC client.
 * Checked at start-up: an unknown key, a value other than optional/required or a pattern that is no
 * regular expression fails with the file, line and key.
 */
import type { ConfNode } from '../core/yaml-conf.js';
import type { RelyingPartyImpersonation } from '../relying-party/relying-party.js';

const REASON_VALUES = ['optional', 'required'] as const;

export function impersonationSettings(rp: ConfNode): RelyingPartyImpersonation {
  if (!rp.has('impersonation')) return {};
  const node = rp.child('impersonation').allowKeys('reason', 'reasonPattern');
  const reason = node.has('reason') ? node.string('reason') : undefined;
  if (reason !== undefined && !(REASON_VALUES as readonly string[]).includes(reason))
    node.fail(`must be one of ${REASON_VALUES.join(', ')}`, 'reason');
  const source = node.has('reasonPattern') ? node.string('reasonPattern') : undefined;
  return {
    reason: reason as RelyingPartyImpersonation['reason'],
    reasonPattern: source === undefined ? undefined : { source, regex: compile(node, source) },
  };
}

/** The pattern as a whole-string match: `^(?:…)$`, Unicode-aware. */
function compile(node: ConfNode, source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch (err) {
    return node.fail(`is not a regular expression: ${(err as Error).message}`, 'reasonPattern');
  }
}
