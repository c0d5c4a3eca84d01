/**
 * The default AccessControlService over one fixed set of policies: each named policy of
 * conf/access-control.yaml is a casbin model plus a casbin policy file (see compiled-policy.ts for
 * the request tokens), decided by the indexed engine with casbin's semantics. The IdP itself uses
 * ReloadableAccessControlService, which swaps such snapshots when the files change.
 */
import type { ProcessLog } from '../logging/process-log.js';
import { quoted } from '../logging/process-log.js';
import { denyAll, type AccessControl, type AccessControlService } from './access-control.js';
import { NO_PAUSES } from './engine/cooperative.js';
import type { NamedPolicyFiles } from './policy-files.js';
import { PolicySnapshot } from './policy-snapshot.js';

export class CasbinAccessControlService implements AccessControlService {
  private constructor(
    readonly snapshot: PolicySnapshot,
    private readonly log: ProcessLog,
  ) {}

  /** Throws a ConfigurationError (file:line) when a policy is broken. */
  static async load(files: readonly NamedPolicyFiles[], log: ProcessLog): Promise<CasbinAccessControlService> {
    return new CasbinAccessControlService(await PolicySnapshot.build(files, NO_PAUSES), log);
  }

  getInstance(policyName: string): AccessControl {
    return this.snapshot.get(policyName) ?? missingPolicy(policyName, this.log);
  }

  get names(): string[] {
    return this.snapshot.names;
  }
}

/** Shibboleth's answer to a name with no policy behind it: a WARN, and a policy that denies. */
export function missingPolicy(policyName: string, log: ProcessLog): AccessControl {
  log.warn(`No policy named ${quoted(policyName)} found, returning default denial policy`);
  return denyAll(policyName);
}
