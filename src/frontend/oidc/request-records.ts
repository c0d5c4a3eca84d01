/**
 * The authorization records one request has read, keyed by the request (oidc-provider's context):
 * each grant's record is read from the store once per request, and oidc-provider's synchronous
 * callbacks — the token lifetimes (ttl) — see the record an earlier step of the same request read.
 * oidc-provider calls findAccount, which reads the grant's record (openid-provider.ts,
 * released-claims.ts), before it builds any token of a token request; a lifetime asked for before
 * that is a programming error and fails the request rather than guess the configured lifetimes
 * (an impersonation's tokens must not outlive its limits).
 */
import { IdpError } from '../../core/errors.js';
import type { AuthorizationRecord, AuthorizationRecords } from './authorization-records.js';

type Reads = Map<string, Promise<AuthorizationRecord | undefined>>;

export class RequestRecords {
  private readonly reads = new WeakMap<object, Reads>();
  private readonly settled = new WeakMap<object, Map<string, AuthorizationRecord | undefined>>();

  constructor(readonly store: AuthorizationRecords) {}

  /** The grant's record, read once for this request. */
  get(request: object, grantId: string | undefined): Promise<AuthorizationRecord | undefined> {
    if (!grantId) return Promise.resolve(undefined);
    const reads =
      this.reads.get(request) ?? new Map<string, Promise<AuthorizationRecord | undefined>>();
    this.reads.set(request, reads);
    let read = reads.get(grantId);
    if (!read) {
      read = this.store.get(grantId).then(
        (record) => {
          const settled =
            this.settled.get(request) ?? new Map<string, AuthorizationRecord | undefined>();
          this.settled.set(request, settled.set(grantId, record));
          return record;
        },
        (err: unknown) => {
          reads.delete(grantId); // a failed read is tried again, not remembered
          throw err;
        },
      );
      reads.set(grantId, read);
    }
    return read;
  }

  /** The record get() has already read for this request; throws when it has not. */
  read(request: object | undefined, grantId: string | undefined): AuthorizationRecord | undefined {
    if (!grantId) return undefined;
    const settled = request ? this.settled.get(request) : undefined;
    if (!settled?.has(grantId))
      throw new IdpError(
        'INTERNAL',
        'an authorization record was needed before the request had read it',
      );
    return settled.get(grantId);
  }
}
