/** conf/audit.yaml: the audit log line format and the replacements applied to its fields. */
import { parseAuditFormat } from '../audit/audit-format.js';
import type { ConfNode } from '../core/yaml-conf.js';

/** The fields the audit chain's control records (open, start, checkpoint) are written in. */
const CHAIN_FIELDS = ['P', 'act', 'det'];

/** chainEnabled: idp.audit.chain.enabled, which needs %P, %act and %det in the format. */
export function loadAudit(root: ConfNode, chainEnabled: boolean) {
  root.allowKeys('format', 'fieldReplacements');
  const format = root.string('format');
  if (!/%[A-Za-z0-9-]/.test(format)) root.fail('contains no %field', 'format');
  const fields = new Set(parseAuditFormat(format).flatMap((t) => ('field' in t ? [t.field] : [])));
  const missing = CHAIN_FIELDS.filter((f) => !fields.has(f));
  if (chainEnabled && missing.length > 0) {
    root.fail(
      `lacks ${missing.map((f) => `%${f}`).join(', ')}, which the audit chain's control records need (add them, or set idp.audit.chain.enabled = false)`,
      'format',
    );
  }
  const replacements = root.child('fieldReplacements');
  return {
    format,
    fieldReplacements: new Map(
      root.entries('fieldReplacements').map(([from]) => [from, replacements.string(from)]),
    ),
  };
}
