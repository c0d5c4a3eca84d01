/**
 * relying-party.yaml `impersonation:` — how the impersonate form treats one SAML SP or OIDC client.
 * Checked at start-up (and by `policy validate`): an unknown key, a value outside its list, a
 * pattern that is no regular expression, `maxLevel: delegate` on an RP not trusted for delegation,
 * or `mode: required` where the impersonate flow does not run or the cap is identify (nothing would
 * ever be released) fail with the file, line and key.
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
  const maxLevel = oneOf(node, 'maxLevel', IMPERSONATION_LEVELS);
  const trustedForDelegation = node.boolean('trustedForDelegation', false);
  if (maxLevel === 'delegate' && !trustedForDelegation)
    node.fail(
      'delegate needs trustedForDelegation: true (the relying party receives the actor as well as the target)',
      'maxLevel',
    );
  if (mode === 'required') checkRequired(node, flows, maxLevel, declaredMaxLevel);
  return {
    reason,
    reasonPattern: source === undefined ? undefined : { source, regex: compile(node, source) },
    mode,
    maxLevel,
    declaredMaxLevel,
    trustedForDelegation,
  };
}

/**
 * `mode: required` releases nothing but an impersonated identity, so the impersonate flow must run
 * at this RP, and its cap must be above identify (a preview releases nothing: the RP would never
 * receive anyone).
 */
function checkRequired(
  node: ConfNode,
  flows: readonly string[],
  maxLevel: ImpersonationLevel | undefined,
  declaredMaxLevel: ImpersonationLevel | undefined,
): void {
  if (!flows.includes(IMPERSONATE_FLOW))
    node.fail(
      `required needs "${IMPERSONATE_FLOW}" in this relying party's postAuthenticationFlows`,
      'mode',
    );
  if (maxLevel === 'identify')
    node.fail('required with maxLevel: identify would never release an identity', 'mode');
  if (declaredMaxLevel === 'identify')
    node.fail(
      'required, but the relying party declares identify for itself (metadataFile): it would never receive an identity',
      'mode',
    );
}

function oneOf<T extends string>(node: ConfNode, key: string, values: readonly T[]): T | undefined {
  if (!node.has(key)) return undefined;
  const value = node.string(key);
  if (!(values as readonly string[]).includes(value))
    node.fail(`must be one of ${values.join(', ')}`, key);
  return value as T;
}

/**
 * A level an RP declares in its metadata (`source`: the entity attribute or client metadata field),
 * checked; `fail` reports it against the metadata key.
 */
export function declaredLevel(
  value: string | undefined,
  source: string,
  fail: (message: string) => never,
): ImpersonationLevel | undefined {
  if (value === undefined) return undefined;
  if (!(IMPERSONATION_LEVELS as readonly string[]).includes(value))
    fail(`${source} is "${value}"; must be one of ${IMPERSONATION_LEVELS.join(', ')}`);
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
