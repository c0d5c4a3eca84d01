/**
 * The shipped policy of the admin endpoints (conf/access-control/admin.*): callers on this machine
 * only — signed in or not, like Shibboleth's AccessByIPAddress — nobody elsewhere, and never an
 * error for a caller without an address or without a sign-in.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../src/access/access-control.js';
import { compilePolicy, type CompiledPolicy } from '../../src/access/compiled-policy.js';
import { fileLabel } from '../../src/access/policy-files.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { coreServices, type CoreServices } from '../support/core-services.js';
import { NO_PAUSES } from '../../src/access/engine/cooperative.js';

let policy: CompiledPolicy;
let s: CoreServices;
beforeAll(async () => {
  const modelFile = path.join(DEFAULT_CONF_DIR, 'access-control/admin.model.conf');
  const policyFile = path.join(DEFAULT_CONF_DIR, 'access-control/admin.policy.csv');
  policy = await compilePolicy(
    {
      name: 'AccessControlStatusPolicy',
      modelFile,
      policyFile,
      modelLabel: fileLabel(DEFAULT_CONF_DIR, modelFile),
      policyLabel: fileLabel(DEFAULT_CONF_DIR, policyFile),
      declaredAt: 'test',
    },
    NO_PAUSES,
  );
  s = await coreServices();
});

async function request(
  user: string,
  operation: string,
  clientAddress: string,
): Promise<AccessRequest> {
  return {
    subject: user,
    attributes: user ? await s.attributesOf(user) : {},
    relyingParty: '',
    operation,
    resource: 'access-control',
    clientAddress,
  };
}

describe('the shipped admin policy', () => {
  it.each([
    ['admin', 'status', '127.0.0.1', true],
    ['admin', 'reload', '::1', true],
    ['', 'reload', '127.0.0.1', true],
    ['alice', 'status', '127.0.0.1', true],
    ['admin', 'status', '192.0.2.7', false],
    ['', 'status', '192.0.2.7', false],
    ['alice', 'reload', '10.1.2.3', false],
    ['admin', 'status', '', false],
    ['', 'status', '', false],
  ])('%j may %s from %j: %s', async (user, operation, address, allowed) => {
    expect(policy.checkAccess(await request(user, operation, address)).allowed).toBe(allowed);
  });

  it('is indexed', () => {
    expect(policy.engine.indexed).toBe(true);
  });
});
