/**
 * Properties whose value names an access-control policy. A name missing from
 * conf/access-control.yaml denies (Shibboleth's rule, so enabling a feature without its policy is
 * safe). For the impersonation policies that is almost always a mistake: the IdP warns at start-up
 * and on reload, and `policy validate` fails. For the admin endpoints it is the intended way to
 * keep them closed (optional): only a note. A feature that asks for a policy by a property adds
 * the property here.
 */
import { quoted } from '../logging/process-log.js';

interface PolicyNameProperty {
  readonly property: string;
  /** Leaving the policy undefined is a supported way to turn the feature off. */
  readonly optional?: boolean;
}

const POLICY_NAME_PROPERTIES: readonly PolicyNameProperty[] = [
  { property: 'idp.impersonate.generalPolicy' },
  { property: 'idp.impersonate.specificPolicy' },
  { property: 'idp.accessControl.statusPolicy', optional: true },
  { property: 'idp.accessControl.reloadPolicy', optional: true },
  { property: 'idp.audit.reviewPolicy', optional: true },
];

export interface PolicyReference {
  readonly property: string;
  readonly name: string;
  readonly optional?: boolean;
}

export function policyReferences(lookup: (key: string) => string | undefined): PolicyReference[] {
  return POLICY_NAME_PROPERTIES.flatMap(({ property, optional }) => {
    const name = lookup(property)?.trim();
    return name ? [{ property, name, ...(optional ? { optional } : {}) }] : [];
  });
}

/** One message per required reference to a policy `defined` does not have. */
export function missingPolicies(
  references: readonly PolicyReference[],
  defined: ReadonlySet<string>,
  file: string,
): string[] {
  return references
    .filter((r) => !r.optional && !defined.has(r.name))
    .map(
      (r) =>
        `${r.property} names policy ${quoted(r.name)}, which ${file} does not define: every such check is denied`,
    );
}
