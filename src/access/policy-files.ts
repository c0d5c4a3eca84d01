/**
 * conf/access-control.yaml: which casbin model and policy file make up each named policy. Read at
 * start-up by the configuration validator, and again by every policy reload and by the policy CLI.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { YamlConf, type ConfNode } from '../config/yaml-conf.js';

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
    node.allowKeys('model', 'policy');
    const modelFile = path.resolve(confDir, node.string('model'));
    const policyFile = path.resolve(confDir, node.string('policy'));
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

/** Reads conf/access-control.yaml afresh (%{…} references expanded with `lookup`). */
export function readAccessControlFile(confDir: string, lookup: (key: string) => string | undefined): NamedPolicyFiles[] {
  return readAccessControlConf(YamlConf.read(path.join(confDir, ACCESS_CONTROL_FILE), lookup).root, confDir);
}

/** A file named the way YamlConf names conf files: from the configuration folder's name down. */
export function fileLabel(confDir: string, file: string): string {
  const relative = path.relative(confDir, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : path.join(path.basename(confDir), relative);
}
