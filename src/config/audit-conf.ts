/** conf/audit.yaml: the audit log line format and the replacements applied to its fields. */
import type { ConfNode } from '../core/yaml-conf.js';

export function loadAudit(root: ConfNode) {
  root.allowKeys('format', 'fieldReplacements');
  const format = root.string('format');
  if (!/%[A-Za-z0-9-]/.test(format)) root.fail('contains no %field', 'format');
  const replacements = root.child('fieldReplacements');
  return {
    format,
    fieldReplacements: new Map(
      root.entries('fieldReplacements').map(([from]) => [from, replacements.string(from)]),
    ),
  };
}
