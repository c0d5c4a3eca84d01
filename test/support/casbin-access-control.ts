/**
 * An AccessControlService over one fixed set of policies, for unit tests of the policies: each
 * named policy of conf/access-control.yaml is a casbin model plus a casbin policy file (see
 * src/access/compiled-policy.ts for the request tokens), decided by the indexed engine with
 * casbin's semantics. The IdP itself uses ReloadableAccessControlService
 * (src/access/reloadable-access-control.ts), which swaps such snapshots when the files change.
 */
import {
  missingPolicy,
  type AccessControl,
  type AccessControlService,
} from '../../src/access/access-control.js';
import { NO_PAUSES } from '../../src/access/engine/cooperative.js';
import type { NamedPolicyFiles } from '../../src/access/policy-files.js';
import { PolicySnapshot } from '../../src/access/policy-snapshot.js';
import type { ProcessLog } from '../../src/logging/process-log.js';

export class CasbinAccessControlService implements AccessControlService {
  private constructor(
    readonly snapshot: PolicySnapshot,
    private readonly log: ProcessLog,
  ) {}

  /** Throws a ConfigurationError (file:line) when a policy is broken. */
  static async load(
    files: readonly NamedPolicyFiles[],
    log: ProcessLog,
  ): Promise<CasbinAccessControlService> {
    return new CasbinAccessControlService(await PolicySnapshot.build(files, NO_PAUSES), log);
  }

  getInstance(policyName: string): AccessControl {
    return this.snapshot.get(policyName) ?? missingPolicy(policyName, this.log);
  }

  get names(): string[] {
    return this.snapshot.names;
  }
}
