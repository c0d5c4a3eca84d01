/**
 * What an `audit` command line asks for: the time window (ISO 8601 or relative: 30m, 1h, 2d, 1w),
 * the filters, the line format (--log-format, else the configuration folder's audit.yaml, found as
 * the IdP and the policy CLI find it) and the nodes (each path a file or a logs folder; none: the
 * configured idp.audit.file).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { auditLayout, type AuditLayout } from '../audit/trail/audit-entry.js';
import { nodeFiles, DEFAULT_AUDIT_STEM } from '../audit/trail/audit-files.js';
import type { AuditFilter } from '../audit/trail/audit-filter.js';
import { parseAuditFormat, type FormatToken } from '../audit/audit-format.js';
import { parseAuditTime, TIME_EXPECTED } from '../audit/trail/audit-time.js';
import type { AuditNode } from '../audit/trail/audit-merge.js';
import { loadAudit } from '../config/audit-conf.js';
import { loadIdpProperties, type IdpProperties } from '../config/idp-properties.js';
import { CONF_FILES } from '../config/load-configuration.js';
import { PROPERTIES_FILE } from '../config/property-sources.js';
import { DEFAULT_CONF_DIR, PROJECT_ROOT } from '../core/paths.js';
import { YamlConf } from '../core/yaml-conf.js';
import type { Location } from './cli-context.js';

export class UsageError extends Error {}

/** --since/--until as an audit timestamp (audit-time.ts). */
function parseTime(option: string, text: string, now = Date.now()): string {
  const time = parseAuditTime(text, now);
  if (time === undefined)
    throw new UsageError(`--${option} ${JSON.stringify(text)}: ${TIME_EXPECTED}`);
  return time;
}

export interface FilterValues {
  readonly since?: string;
  readonly until?: string;
  readonly actor?: string;
  readonly target?: string;
  readonly rp?: string;
  readonly event?: string[];
  readonly action?: string[];
  readonly 'impersonation-only'?: boolean;
  readonly 'refusals-only'?: boolean;
  readonly 'include-control'?: boolean;
}

export function filterOf(v: FilterValues, now = Date.now()): AuditFilter {
  const list = (values?: string[]) => values?.flatMap((s) => s.split(',')).filter(Boolean);
  return {
    since: v.since === undefined ? undefined : parseTime('since', v.since, now),
    until: v.until === undefined ? undefined : parseTime('until', v.until, now),
    actor: v.actor,
    target: v.target,
    rp: v.rp,
    events: list(v.event),
    actions: list(v.action),
    impersonationOnly: v['impersonation-only'],
    refusalsOnly: v['refusals-only'],
    includeControl: v['include-control'],
  };
}

export interface AuditSetup {
  readonly tokens: readonly FormatToken[];
  readonly layout: AuditLayout;
  readonly nodes: readonly AuditNode[];
  readonly properties?: IdpProperties;
}

/**
 * The format and the nodes. The configuration folder is read only when needed: for the format
 * (no --log-format) or the default node (no path).
 */
export function auditSetup(
  at: Location,
  paths: readonly string[],
  logFormat: string | undefined,
): AuditSetup {
  const properties = logFormat === undefined || paths.length === 0 ? loadProps(at) : undefined;
  const format =
    logFormat ??
    loadAudit(
      YamlConf.read(path.join(properties!.confDir, CONF_FILES.audit), properties!.lookup).root,
      properties!.audit.chainEnabled,
    ).format;
  const tokens = parseAuditFormat(format);
  const stem = properties
    ? path.basename(properties.logs.auditFile).replace(/\.log$/, '')
    : DEFAULT_AUDIT_STEM;
  const targets = paths.length > 0 ? paths : [properties!.logs.auditFile];
  const nodes = targets.map((p) => {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file or folder`);
    return { label: p, files: nodeFiles(p, stem) };
  });
  return { tokens, layout: auditLayout(tokens), nodes, properties };
}

export function loadProps(at: Location): IdpProperties {
  const home = path.resolve(at.home ?? at.env.IDP_HOME ?? PROJECT_ROOT);
  const confDir = path.resolve(at.conf ?? at.env.IDP_CONF_DIR ?? DEFAULT_CONF_DIR);
  if (!existsSync(path.join(confDir, PROPERTIES_FILE)))
    throw new UsageError(`${confDir}: no ${PROPERTIES_FILE}: is this a configuration folder?`);
  return loadIdpProperties({ home, confDir, env: at.env });
}
