/** conf/attribute-filter.yaml: which attributes are released to which relying parties. */
import type { AttributeFilterPolicy } from '../attribute/attribute-filter.js';
import type { AttributeDefinition } from '../attribute/attribute-resolver.js';
import type { ConfNode } from '../core/yaml-conf.js';

export function loadAttributeFilter(
  root: ConfNode,
  definitions: readonly AttributeDefinition[],
): AttributeFilterPolicy[] {
  root.allowKeys('policies');
  const known = new Set(definitions.map((d) => d.id));
  return root.list('policies').map((p: ConfNode) => {
    p.allowKeys('id', 'requesters', 'permit', 'deny');
    const requesters = p.strings('requesters');
    if (requesters.length === 0)
      p.fail('must list at least one relying party id (or "*")', 'requesters');
    for (const key of ['permit', 'deny'] as const) {
      for (const id of p.strings(key)) {
        if (id !== '*' && !known.has(id)) p.fail(`names unknown attribute ${id}`, key);
      }
    }
    return { id: p.string('id'), requesters, permit: p.strings('permit'), deny: p.strings('deny') };
  });
}
