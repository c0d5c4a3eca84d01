/**
 * A directory that fails while the impersonation target is looked up (DIRECTORY_FAILED) is written
 * to the audit trail as a refusal (%e DirectoryFailure) before the error goes on to the 503 page;
 * any other failure, and a lookup that succeeds, add no record.
 */
import { describe, expect, it } from 'vitest';
import { IdpError } from '../../../src/core/errors.js';
import type { InterceptContext } from '../../../src/intercept/intercept-flow.js';
import { auditingDirectoryFailure } from '../../../src/intercept/impersonate/impersonate-audit.js';

function recording() {
  const records: Record<string, unknown>[] = [];
  const ctx = {
    audit: (fields: Record<string, unknown>) => {
      records.push(fields);
      return Promise.resolve();
    },
  } as unknown as InterceptContext;
  return { ctx, records };
}

describe('auditingDirectoryFailure', () => {
  it('records a refusal with the DirectoryFailure event, then rethrows the same error', async () => {
    const { ctx, records } = recording();
    const failure = new IdpError('DIRECTORY_FAILED', 'LDAP directory down');
    await expect(auditingDirectoryFailure(ctx, () => Promise.reject(failure))).rejects.toBe(
      failure,
    );
    expect(records).toEqual([{ act: 'refuse', e: 'DirectoryFailure' }]);
  });

  it('records nothing for another error or a lookup that succeeds', async () => {
    const { ctx, records } = recording();
    await expect(
      auditingDirectoryFailure(ctx, () => Promise.reject(new IdpError('INTERNAL', 'bug'))),
    ).rejects.toThrow('bug');
    expect(await auditingDirectoryFailure(ctx, () => Promise.resolve('bob'))).toBe('bob');
    expect(records).toEqual([]);
  });
});
