/**
 * conf/access-control.yaml: which casbin model and policy file make up each named policy. Read at
 * start-up by the configuration validator (and again on every policy reload).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ConfNode } from '../config/yaml-conf.js';

export interface NamedPolicyFiles {
  readonly name: string;
  readonly modelFile: string;
  readonly policyFile: string;
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
    return { name, modelFile, policyFile, declaredAt: node.conf.where(node.at) };
  });
}
