/**
 * conf/access-control.yaml: which casbin model and policy file make up each named policy. Read at
 * start-up by the configuration validator, and again by every policy reload and by the policy CLI
 * (policy-set.ts, which first checks the file is complete).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ConfNode } from '../core/yaml-conf.js';
import { safeForLog } from '../logging/process-log.js';

export const ACCESS_CONTROL_FILE = 'access-control.yaml';

export interface NamedPolicyFiles {
  readonly name: string;
  readonly modelFile: string;
  readonly policyFile: string;
  /** The files as messages name them ("conf/access-control/x.model.conf"). */
  readonly modelLabel: string;
  readonly policyLabel: string;
  /** Where the policy was declared, for error messages ("conf/access-control.yaml:12"). */
  readonly declaredAt: string;
}

export function readAccessControlConf(root: ConfNode, confDir: string): NamedPolicyFiles[] {
  root.allowKeys('policies');
  return root.entries('policies').map(([name, node]: [string, ConfNode]) => {
    // Names and paths reach the admin page, JSON and log lines: nothing in them may hide or fake text.
    if (safeForLog(name) !== name)
      node.fail('a policy name must not contain control or invisible characters');
    node.allowKeys('model', 'policy');
    const modelFile = path.resolve(confDir, printablePath(node, 'model'));
    const policyFile = path.resolve(confDir, printablePath(node, 'policy'));
    if (!existsSync(modelFile)) node.fail(`file not found: ${modelFile}`, 'model');
    if (!existsSync(policyFile)) node.fail(`file not found: ${policyFile}`, 'policy');
    return {
      name,
      modelFile,
      policyFile,
      modelLabel: fileLabel(confDir, modelFile),
      policyLabel: fileLabel(confDir, policyFile),
      declaredAt: node.conf.where(node.at),
    };
  });
}

function printablePath(node: ConfNode, key: string): string {
  const value = node.string(key);
  if (safeForLog(value) !== value)
    node.fail('must not contain control or invisible characters', key);
  return value;
}

/** A file named the way YamlConf names conf files: from the configuration folder's name down. */
export function fileLabel(confDir: string, file: string): string {
  const relative = path.relative(confDir, file);
  return relative.startsWith('..') || path.isAbsolute(relative)
    ? file
    : path.join(path.basename(confDir), relative);
}
