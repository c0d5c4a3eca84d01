/**
 * Loading the policy set into a snapshot — the one way the IdP (at start-up and on every reload)
 * and the policy CLI do it: read the set (policy-set.ts), compile it, and check that the files
 * did not change meanwhile. If they did, the snapshot is thrown away and the set read again, up to
 * MAX_ATTEMPTS times: a snapshot is only ever built from one state of the files as a whole.
 */
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { turnsOf, type Pacing } from './engine/cooperative.js';
import { PolicyErrors } from './policy-errors.js';
import { ACCESS_CONTROL_FILE, fileLabel } from './policy-files.js';
import { PolicySet } from './policy-set.js';
import { PolicySnapshot } from './policy-snapshot.js';

const MAX_ATTEMPTS = 3;

export interface LoadedPolicies {
  readonly snapshot: PolicySnapshot;
  readonly set: PolicySet;
  /** 1, or more when the files changed while they were being read. */
  readonly attempts: number;
}

export interface LoadOptions {
  readonly confDir: string;
  /** Expands %{…} references in access-control.yaml (the IdP's properties). */
  readonly lookup: (key: string) => string | undefined;
  readonly pacing: Pacing;
  /** Told about every set read (even one that then fails to compile), e.g. to watch its files. */
  readonly onRead?: (set: PolicySet) => void;
}

/** The compiled policies; throws PolicyErrors (every problem as file:line) when they cannot be loaded. */
export async function loadPolicies(options: LoadOptions): Promise<LoadedPolicies> {
  const turns = turnsOf(options.pacing);
  for (let attempt = 1; ; attempt++) {
    const set = await PolicySet.read(options.confDir, options.lookup, turns);
    options.onRead?.(set);
    // A set broken as read fails here, even if a save in progress was read: its end will change
    // the files again, and the watcher reloads then (or the admin runs policy reload again).
    const snapshot = await PolicySnapshot.build(set, { turns });
    if (await set.unchanged(turns)) return { snapshot, set, attempts: attempt };
    if (attempt >= MAX_ATTEMPTS) {
      const label = fileLabel(options.confDir, path.join(options.confDir, ACCESS_CONTROL_FILE));
      throw new PolicyErrors([
        new ConfigurationError(
          label,
          '(policy set)',
          `the policy files changed while they were being read, ${MAX_ATTEMPTS} times in a row: nothing was loaded; reload once they are all saved`,
        ),
      ]);
    }
  }
}
