/**
 * Refreshing the metadata providers of relying-party.yaml while the IdP runs. Each provider is
 * watched (fs.watch on its file's folder or its directory, debounced) and polled every
 * refreshInterval as a fallback; when its files' fingerprint changes, the provider is read again
 * — every file verified and parsed completely — and every SAML SP of relying-party.yaml is built
 * again over the new catalog. Only when all of that succeeds are the registry's SAML SPs swapped,
 * in one assignment. Anything that fails (a bad signature, a parse error, an expired aggregate, an
 * SP samlServiceProviders lists that the metadata no longer describes) keeps the last good set,
 * logs an ERROR and is audited (P=Metadata/Refresh, act=reload, e=MetadataRefreshFailed); a good
 * refresh is audited too.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { AuditAction, AuditField, auditDetails, type AuditFields } from '../audit/audit-fields.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { SamlMetadataConf } from '../config/load-configuration.js';
import type { ProcessLog } from '../logging/process-log.js';
import {
  metadataFingerprint,
  readMetadataProvider,
  type MetadataProviderSpec,
} from '../relying-party/metadata/metadata-provider.js';
import type { RelyingPartyRegistry, SamlServiceProvider } from '../relying-party/relying-party.js';

const METADATA_REFRESH_PROFILE = 'Metadata/Refresh';
/** Editors and copies write a file in several steps: wait for the last before reading. */
const DEBOUNCE_MS = 200;

type RefreshTrigger = 'watch' | 'poll' | 'call';

interface RefreshOutcome {
  readonly provider: string;
  readonly result: 'loaded' | 'kept-previous' | 'unchanged';
  readonly error?: string;
}

export interface MetadataRefresh {
  /** Reads `provider` again if its files changed (the watchers and the poll call this). */
  refresh(provider: string, trigger: RefreshTrigger): Promise<RefreshOutcome>;
  /** Stops every watcher and poll. */
  close(): void;
}

interface Parts {
  readonly samlMetadata: SamlMetadataConf;
  readonly relyingParties: RelyingPartyRegistry;
  readonly log: ProcessLog;
  readonly audit: AuditLog;
}

export function startMetadataRefresh(parts: Parts): MetadataRefresh {
  const { samlMetadata } = parts;
  let catalog = samlMetadata.catalog;
  // The fingerprint last tried per provider: a refused document is not tried again until it changes.
  const tried = new Map(catalog.snapshots.map((s) => [s.provider.id, s.fingerprint]));
  const specs = new Map(samlMetadata.providers.map((p) => [p.id, p]));
  let running = Promise.resolve<unknown>(undefined);

  const attempt = async (spec: MetadataProviderSpec, trigger: RefreshTrigger) => {
    let fingerprint: string | undefined;
    try {
      fingerprint = metadataFingerprint(spec);
      if (fingerprint === tried.get(spec.id))
        return { provider: spec.id, result: 'unchanged' as const };
      const snapshot = readMetadataProvider(spec, samlMetadata.check);
      const next = catalog.with(snapshot);
      const saml = samlMetadata.rebuild(next);
      noListedSpVanished(parts.relyingParties, saml);
      parts.relyingParties.replaceSaml(saml);
      catalog = next;
      parts.log.info(
        `metadata provider ${spec.id} refreshed (${trigger}): ${saml.length} SAML SP(s)`,
      );
      await record(parts, spec, trigger, 'loaded');
      return { provider: spec.id, result: 'loaded' as const };
    } catch (err) {
      const error = (err as Error).message;
      parts.log.error(
        `metadata provider ${spec.id} (${spec.declaredAt}) refresh refused, the last good metadata stays: ${error}`,
      );
      await record(parts, spec, trigger, 'kept-previous');
      return { provider: spec.id, result: 'kept-previous' as const, error };
    } finally {
      if (fingerprint !== undefined) tried.set(spec.id, fingerprint);
    }
  };

  // One refresh at a time: two providers changing together must not swap over each other.
  const refresh = (provider: string, trigger: RefreshTrigger): Promise<RefreshOutcome> => {
    const spec = specs.get(provider);
    if (!spec) return Promise.reject(new Error(`no metadata provider ${provider}`));
    const result = running.then(() => attempt(spec, trigger));
    running = result.catch(() => undefined);
    return result;
  };

  const stops = samlMetadata.providers.flatMap((spec) => observe(spec, refresh, parts.log));
  return {
    refresh,
    close: () => {
      for (const stop of stops) stop();
    },
  };
}

/** The watcher and the poll of one provider, as functions that stop them. */
function observe(
  spec: MetadataProviderSpec,
  refresh: MetadataRefresh['refresh'],
  log: ProcessLog,
): (() => void)[] {
  const stops: (() => void)[] = [];
  const run = (trigger: RefreshTrigger) => void refresh(spec.id, trigger);
  if (spec.refreshIntervalMs > 0) {
    const timer = setInterval(() => run('poll'), spec.refreshIntervalMs);
    timer.unref();
    stops.push(() => clearInterval(timer));
  }
  if (spec.watch) {
    const watcher = watchProvider(spec, () => run('watch'), log);
    if (watcher) stops.push(() => watcher.close());
  }
  return stops;
}

/** fs.watch on the directory, or on the file's folder (an editor replaces the file it saves). */
function watchProvider(
  spec: MetadataProviderSpec,
  changed: () => void,
  log: ProcessLog,
): FSWatcher | undefined {
  const dir = spec.type === 'directory' ? spec.path : path.dirname(spec.path);
  const name = path.basename(spec.path);
  let timer: NodeJS.Timeout | undefined;
  try {
    const watcher = watch(dir, { persistent: false }, (_event, file) => {
      if (spec.type !== 'directory' && file !== null && file !== name) return;
      clearTimeout(timer);
      timer = setTimeout(changed, DEBOUNCE_MS);
      timer.unref();
    });
    watcher.on('error', (err) => {
      log.warn(
        `metadata provider ${spec.id}: watching ${dir} failed (${err.message}); polling only`,
      );
      watcher.close();
    });
    watcher.on('close', () => clearTimeout(timer));
    return watcher;
  } catch (err) {
    log.warn(
      `metadata provider ${spec.id}: cannot watch ${dir} (${(err as Error).message}); polling only`,
    );
    return undefined;
  }
}

/** An SP samlServiceProviders lists whose metadata came from a provider must still be described by one. */
function noListedSpVanished(
  registry: RelyingPartyRegistry,
  next: readonly SamlServiceProvider[],
): void {
  const now = new Map(next.map((sp) => [sp.id, sp]));
  for (const rp of registry.all) {
    if (rp.kind !== 'saml' || rp.unlisted || rp.metadataProvider === undefined) continue;
    if (now.get(rp.id)?.metadataProvider === undefined)
      throw new Error(
        `${rp.id} (${rp.declaredAt}) is no longer described by any metadata provider`,
      );
  }
}

async function record(
  { audit, log }: Parts,
  spec: MetadataProviderSpec,
  trigger: RefreshTrigger,
  result: 'loaded' | 'kept-previous',
): Promise<void> {
  try {
    await audit.record(refreshAuditFields(spec, trigger, result));
  } catch (err) {
    log.error(
      `metadata provider ${spec.id}: the refresh could not be audited: ${(err as Error).message}`,
    );
  }
}

function refreshAuditFields(
  spec: MetadataProviderSpec,
  trigger: RefreshTrigger,
  result: 'loaded' | 'kept-previous',
): AuditFields {
  const fields: AuditFields = new Map([
    [AuditField.PROFILE, [METADATA_REFRESH_PROFILE]],
    [AuditField.ACTION, [AuditAction.RELOAD]],
    [
      AuditField.DETAILS,
      [...auditDetails({ trigger, provider: spec.id, result }), `file=${spec.path}`],
    ],
  ]);
  if (result !== 'loaded') fields.set(AuditField.EVENT, ['MetadataRefreshFailed']);
  return fields;
}
