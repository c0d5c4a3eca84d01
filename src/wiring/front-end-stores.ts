/**
 * The state the protocol front-ends keep between the steps of a flow — oidc-provider's models,
 * the IdP's OIDC authorization records, SAML persistent NameIDs — on the embedded SQLite database
 * (one node, the default) or on the Redis every node shares (any step on any node). The
 * composition root picks one set (idp.storage.type).
 */
import type { Adapter } from 'oidc-provider';
import type { IdpProperties } from '../config/idp-properties.js';
import { IdpError } from '../core/errors.js';
import type { AuthorizationRecords } from '../frontend/oidc/authorization-records.js';
import { RedisAuthorizationRecords } from '../frontend/oidc/redis-authorization-records.js';
import { redisAdapterFactory } from '../frontend/oidc/redis-oidc-adapter.js';
import { SqliteAuthorizationRecords } from '../frontend/oidc/sqlite-authorization-records.js';
import { sqliteAdapterFactory } from '../frontend/oidc/sqlite-oidc-adapter.js';
import type { RedisClient } from '../storage/redis-connection.js';
import type { PersistentIdStore } from '../frontend/saml/nameid/persistent-id-store.js';
import { RedisPersistentIdStore } from '../frontend/saml/nameid/redis-persistent-id-store.js';
import { SqlitePersistentIdStore } from '../frontend/saml/nameid/sqlite-persistent-id-store.js';
import type { BusyPolicy } from '../storage/sqlite-busy.js';
import type { SqliteDatabase } from '../storage/sqlite-database.js';
import type { SharedState } from './shared-state.js';

export interface FrontEndStores {
  /** oidc-provider's adapter class: sessions, interactions, grants, codes, tokens. */
  readonly oidcAdapter: new (model: string) => Adapter;
  readonly authorizationRecords: AuthorizationRecords;
  readonly persistentIds: PersistentIdStore;
}

/** One node: tables oidc_models, oidc_authorizations and persistent_ids. */
export function sqliteFrontEndStores(db: SqliteDatabase, busy: BusyPolicy): FrontEndStores {
  return {
    oidcAdapter: sqliteAdapterFactory(db),
    authorizationRecords: new SqliteAuthorizationRecords(db),
    persistentIds: new SqlitePersistentIdStore(db, busy),
  };
}

/**
 * Several nodes: keys under keyPrefix on the shared Redis (docs/architecture.md lists them); an
 * operation Redis has not answered within timeoutMs fails the request (fail closed, 503).
 */
export function redisFrontEndStores(
  client: RedisClient,
  keyPrefix: string,
  timeoutMs: number,
): FrontEndStores {
  return {
    oidcAdapter: redisAdapterFactory(client, keyPrefix, timeoutMs),
    authorizationRecords: new RedisAuthorizationRecords(client, keyPrefix, timeoutMs),
    persistentIds: new RedisPersistentIdStore(client, keyPrefix, timeoutMs),
  };
}

/** The Redis set when the IdP shares state (idp.storage.type = redis), else the SQLite one. */
export function frontEndStoresFor(
  props: IdpProperties,
  { db, busy, shared }: { db: SqliteDatabase; busy: BusyPolicy; shared: SharedState },
): FrontEndStores {
  const settings = props.sharedState;
  if (settings.type !== 'redis') return sqliteFrontEndStores(db, busy);
  if (!shared.redis)
    throw new IdpError('INTERNAL', 'idp.storage.type is redis but no Redis is open');
  const { client, keyPrefix } = shared.redis;
  return redisFrontEndStores(client, keyPrefix, settings.redis.commandTimeoutMs);
}
