/**
 * relying-party.yaml `impersonation:` — how the impersonate form treats one SAML SP or OIDC client.
 * Checked at start-up (and by `policy validate`): an unknown key, a value outside its list, a
 * pattern that is no regular expression, `maxLevel: delegate` on an RP not trusted for delegation,
 * or `mode: required` where the impersonate flow does not run fail with the file, line and key.
 */
import type { ConfNode } from '../core/yaml-conf.js';
import {
  IMPERSONATION_LEVELS,
  IMPERSONATION_MODES,
  type ImpersonationLevel,
  type RelyingPartyImpersonation,
} from '../relying-party/rp-impersonation.js';

const REASON_VALUES = ['optional', 'required'] as const;
const IMPERSONATE_FLOW = 'impersonate';

/**
 * The block, with the level the RP declares for itself (from its metadata, already read).
 * `flows` are the RP's postAuthenticationFlows: `mode: required` needs the impersonate flow there.
 */
export function impersonationSettings(
  rp: ConfNode,
  flows: readonly string[],
  declaredMaxLevel?: ImpersonationLevel,
): RelyingPartyImpersonation {
  if (!rp.has('impersonation')) return { declaredMaxLevel };
  const node = rp
    .child('impersonation')
    .allowKeys('reason', 'reasonPattern', 'mode', 'maxLevel', 'trustedForDelegation');
  const reason = oneOf(node, 'reason', REASON_VALUES);
  const source = node.has('reasonPattern') ? node.string('reasonPattern') : undefined;
  const mode = oneOf(node, 'mode', IMPERSONATION_MODES);
  if (mode === 'required' && !flows.includes(IMPERSONATE_FLOW))
    node.fail(
      `required needs "${IMPERSONATE_FLOW}" in this relying party's postAuthenticationFlows`,
      'mode',
    );
  const maxLevel = oneOf(node, 'maxLevel', IMPERSONATION_LEVELS);
  const trustedForDelegation = node.boolean('trustedForDelegation', false);
  if (maxLevel === 'delegate' && !trustedForDelegation)
    node.fail(
      'delegate needs trustedForDelegation: true (the relying party receives the actor as well as the target)',
      'maxLevel',
    );
  return {
    reason,
    reasonPattern: source === undefined ? undefined : { source, regex: compile(node, source) },
    mode,
    maxLevel,
    declaredMaxLevel,
    trustedForDelegation,
  };
}

function oneOf<T extends string>(node: ConfNode, key: string, values: readonly T[]): T | undefined {
  if (!node.has(key)) return undefined;
  const value = node.string(key);
  if (!(values as readonly string[]).includes(value))
    node.fail(`must be one of ${values.join(', ')}`, key);
  return value as T;
}

/** A level an RP declares in its metadata, checked; `fail` reports it against the metadata key. */
export function declaredLevel(
  value: string | undefined,
  fail: (message: string) => never,
): ImpersonationLevel | undefined {
  if (value === undefined) return undefined;
  if (!(IMPERSONATION_LEVELS as readonly string[]).includes(value))
    fail(
      `declares impersonation level "${value}"; must be one of ${IMPERSONATION_LEVELS.join(', ')}`,
    );
  return value as ImpersonationLevel;
}

/** The pattern as a whole-string match: `^(?:…)$`, Unicode-aware. */
function compile(node: ConfNode, source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch (err) {
    return node.fail(`is not a regular expression: ${(err as Error).message}`, 'reasonPattern');
  }
}
