/**
 * Expectations an admin writes down about the policies (conf/access-control/expectations.yaml):
 * for a real account, a target and a relying party, whether the whole impersonation is allowed
 * and/or what each named policy answers. `policy test` checks every one against the real
 * decision path. YAML, so %{property} references work and every problem names its line:
 *
 *   expectations:
 *     - user: alice                      # a directory account, as it signs in
 *       target: bob                      # the account typed into the form (optional)
 *       rp: "%{demo.sp.entityID}"        # the relying party's entity ID or client id
 *       expect: allow                    # the whole question: may alice impersonate bob there?
 *     - user: erin
 *       target: admin
 *       rp: https://wiki.example.org/shibboleth
 *       expect:                          # or per policy (any name in access-control.yaml),
 *         SpecificImpersonationPolicy: deny
 *         impersonate: deny              # and/or the whole question
 *       note: protected accounts are never impersonated   # shown when it fails
 *     - user: alice
 *       target: bob
 *       rp: "%{demo.oidc.clientId}"
 *       level: identify                  # the level asked (default: the RP's default level)
 *       expect: allow
 */
import { YamlConf, type ConfNode } from '../core/yaml-conf.js';
import { IMPERSONATION_LEVELS } from '../relying-party/rp-impersonation.js';

export const WHOLE_QUESTION = 'impersonate';

export interface Expectation {
  /** "access-control/expectations.yaml:12" */
  readonly at: string;
  readonly user: string;
  readonly target?: string;
  readonly rp: string;
  /** The level asked on the form (identify, impersonate, delegate); absent: the RP's default. */
  readonly level?: string;
  /** WHOLE_QUESTION or a policy name → expected to be allowed? */
  readonly expect: ReadonlyMap<string, boolean>;
  readonly note?: string;
}

/** Throws a ConfigurationError naming file:line for anything malformed. */
export function readExpectations(
  file: string,
  lookup: (key: string) => string | undefined,
  policyNames: ReadonlySet<string>,
): Expectation[] {
  const conf = YamlConf.read(file, lookup);
  conf.root.allowKeys('expectations');
  const list = conf.root.list('expectations');
  if (list.length === 0) conf.root.fail('lists no expectations', 'expectations');
  return list.map((node) => {
    node.allowKeys('user', 'target', 'rp', 'level', 'expect', 'note');
    const expect = expected(node, policyNames);
    const target = node.optionalString('target');
    if (target === undefined && expect.has(WHOLE_QUESTION))
      node.fail(`is required to ask the whole question (${WHOLE_QUESTION})`, 'target');
    return {
      at: conf.where(node.at),
      user: node.string('user'),
      target,
      rp: node.string('rp'),
      level: levelOf(node),
      expect,
      note: node.optionalString('note'),
    };
  });
}

/** The level asked, one the form can post: a misspelt level would be refused there and answer "deny". */
function levelOf(node: ConfNode): string | undefined {
  const level = node.optionalString('level');
  if (level !== undefined && !(IMPERSONATION_LEVELS as readonly string[]).includes(level))
    node.fail(`must be one of ${IMPERSONATION_LEVELS.join(', ')}`, 'level');
  return level;
}

function expected(node: ConfNode, policyNames: ReadonlySet<string>): Map<string, boolean> {
  const value = (v: string, key: string, at: ConfNode) => {
    if (v !== 'allow' && v !== 'deny') at.fail('must be allow or deny', key);
    return v === 'allow';
  };
  const raw = node.value as Record<string, unknown>;
  if (typeof raw.expect === 'string')
    return new Map([[WHOLE_QUESTION, value(node.string('expect'), 'expect', node)]]);
  const map = node.child('expect');
  const entries = node.entries('expect');
  if (entries.length === 0)
    node.fail('must be allow, deny, or a map of policy names to allow/deny', 'expect');
  return new Map(
    entries.map(([name]) => {
      if (name !== WHOLE_QUESTION && !policyNames.has(name)) {
        map.fail(`names no policy (known: ${[WHOLE_QUESTION, ...policyNames].join(', ')})`, name);
      }
      return [name, value(map.string(name), name, map)];
    }),
  );
}
