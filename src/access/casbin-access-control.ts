/**
 * The default AccessControlService: each named policy is a casbin model plus a casbin policy file
 * (conf/access-control.yaml names them). The request a model sees is built from these tokens, in
 * whatever order its [request_definition] lists them:
 *
 *   sub    the real principal's name          attrs  the real principal's unfiltered attributes
 *   rp     the relying party id               act    the operation ("impersonate")
 *   obj    the resource (the requested account; "" for the general check)
 *   ip     the client's IP address ("" when the caller has none), for ipMatch
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin';
import { ConfigurationError } from '../errors.js';
import type { ProcessLog } from '../logging/process-log.js';
import { quoted } from '../logging/process-log.js';
import { denyAll, type AccessControl, type AccessControlService, type AccessRequest } from './access-control.js';
import { CUSTOM_FUNCTIONS } from './casbin-functions.js';
import type { NamedPolicyFiles } from './policy-files.js';

export const REQUEST_TOKENS = ['sub', 'attrs', 'rp', 'act', 'obj', 'ip'] as const;
type RequestToken = (typeof REQUEST_TOKENS)[number];

class CasbinPolicy implements AccessControl {
  constructor(
    private readonly name: string,
    private readonly enforcer: Enforcer,
    private readonly tokens: readonly RequestToken[],
  ) {}

  checkAccess(request: AccessRequest) {
    const values: Record<RequestToken, unknown> = {
      sub: request.subject,
      attrs: request.attributes,
      rp: request.relyingParty,
      act: request.operation,
      obj: request.resource,
      ip: request.clientAddress ?? '',
    };
    const [allowed, rule] = this.enforcer.enforceExSync(...this.tokens.map((t) => values[t]));
    return { allowed, policy: this.name, matched: rule.length > 0 ? [rule] : [] };
  }
}

export class CasbinAccessControlService implements AccessControlService {
  private constructor(
    private readonly policies: ReadonlyMap<string, AccessControl>,
    private readonly log: ProcessLog,
  ) {}

  static async load(files: readonly NamedPolicyFiles[], log: ProcessLog): Promise<CasbinAccessControlService> {
    const policies = new Map<string, AccessControl>();
    for (const f of files) policies.set(f.name, await loadPolicy(f));
    return new CasbinAccessControlService(policies, log);
  }

  getInstance(policyName: string): AccessControl {
    const policy = this.policies.get(policyName);
    if (policy) return policy;
    this.log.warn(`No policy named ${quoted(policyName)} found, returning default denial policy`);
    return denyAll(policyName);
  }

  get names(): string[] {
    return [...this.policies.keys()];
  }
}

async function loadPolicy(f: NamedPolicyFiles): Promise<AccessControl> {
  let model;
  try {
    model = newModelFromString(readFileSync(f.modelFile, 'utf8'));
  } catch (err) {
    throw new ConfigurationError(rel(f.modelFile), f.name, `model does not parse: ${(err as Error).message}`, { cause: err });
  }
  const tokens = (model.model.get('r')?.get('r')?.tokens ?? []).map((t) => t.replace(/^r_/, ''));
  for (const t of tokens) {
    if (!REQUEST_TOKENS.includes(t as RequestToken)) {
      throw new ConfigurationError(rel(f.modelFile), '[request_definition] r', `unknown request token ${t} (use ${REQUEST_TOKENS.join(', ')})`);
    }
  }
  try {
    const enforcer = await newEnforcer(model, new StringAdapter(readFileSync(f.policyFile, 'utf8')));
    for (const [name, fn] of Object.entries(CUSTOM_FUNCTIONS)) await enforcer.addFunction(name, fn);
    return new CasbinPolicy(f.name, enforcer, tokens as RequestToken[]);
  } catch (err) {
    throw new ConfigurationError(rel(f.policyFile), f.name, `policy does not load: ${(err as Error).message}`, { cause: err });
  }
}

function rel(file: string): string {
  return path.relative(process.cwd(), file) || file;
}
