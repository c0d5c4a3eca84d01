/**
 * The metadata refresh (src/wiring/saml-metadata.ts) on a directory provider, called directly: a
 * changed directory swaps the registry's SAML SPs at once, an unchanged one does nothing, and a
 * refused one — a listed SP gone, an entity ID clashing with an OIDC client — keeps the last good
 * set, logged and audited. The poll finds changes without the watch, and stops when closed.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditFields } from '../../src/audit/audit-fields.js';
import type { AuditLog } from '../../src/audit/audit-log.js';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import type { ProcessLog } from '../../src/logging/process-log.js';
import { RelyingPartyRegistry } from '../../src/relying-party/relying-party.js';
import { startMetadataRefresh } from '../../src/wiring/saml-metadata.js';
import { confWithRps } from '../support/rp-conf.js';
import { spEntity } from '../support/sp-aggregate.js';

const A = 'https://a.example.org/sp';
const B = 'https://b.example.org/sp';
const PROVIDER =
  '\nmetadataProviders:\n  - id: dir\n    type: directory\n    path: md\n    serveUnlisted: true\n    refreshInterval: PT0S\n    watch: false\n';

function setUp(provider = PROVIDER) {
  const confDir = confWithRps({
    saml: `  - entityID: ${A}\n    assertionConsumerServiceURL: https://a.example.org/yaml-acs`,
    edit: (t) => t + provider,
    files: { 'md/a.xml': spEntity(A, { acs: 'https://a.example.org/acs' }, true) },
  });
  const config = loadConfiguration({ home: path.dirname(confDir), confDir, env: {} });
  const relyingParties = new RelyingPartyRegistry(config.relyingParties, config.resourceServers);
  const records: AuditFields[] = [];
  const lines: string[] = [];
  const log = {
    error: (m: string) => lines.push(`ERROR ${m}`),
    warn: (m: string) => lines.push(`WARN ${m}`),
    info: (m: string) => lines.push(`INFO ${m}`),
  } as unknown as ProcessLog;
  const audit = { record: (f: AuditFields) => Promise.resolve(void records.push(f)) };
  const refresh = startMetadataRefresh({
    samlMetadata: config.samlMetadata,
    relyingParties,
    log,
    audit: audit as unknown as AuditLog,
  });
  const write = (name: string, xml: string) => writeFileSync(path.join(confDir, 'md', name), xml);
  return { confDir, config, relyingParties, records, lines, refresh, write };
}

describe('refreshing a directory metadata provider', () => {
  it('swaps in the SPs of a changed directory, and does nothing while it is unchanged', async () => {
    const { relyingParties, records, refresh, write } = setUp();
    expect(relyingParties.saml(A)?.metadataProvider).toBe('dir');
    expect(relyingParties.saml(B)).toBeUndefined();
    expect(await refresh.refresh('dir', 'call')).toEqual({ provider: 'dir', result: 'unchanged' });
    expect(records).toHaveLength(0);

    write('b.xml', spEntity(B, { acs: 'https://b.example.org/acs' }, true));
    expect(await refresh.refresh('dir', 'call')).toEqual({ provider: 'dir', result: 'loaded' });
    expect(relyingParties.saml(B)?.unlisted).toBe(true);
    expect(relyingParties.saml(A)?.assertionConsumerServiceURL).toBe(
      'https://a.example.org/yaml-acs',
    );
    // The OIDC clients stay.
    expect(relyingParties.oidcClients.length).toBeGreaterThan(0);
    expect(records.at(-1)!.get('P')).toEqual(['Metadata/Refresh']);
    expect(records.at(-1)!.get('det')).toContain('result=loaded');
    expect(records.at(-1)!.has('e')).toBe(false);
    refresh.close();
  });

  it('keeps the last good set when a listed SP is no longer described', async () => {
    const { confDir, relyingParties, records, lines, refresh } = setUp();
    const before = relyingParties.saml(A);
    rmSync(path.join(confDir, 'md', 'a.xml'));
    const outcome = await refresh.refresh('dir', 'call');
    expect(outcome.result).toBe('kept-previous');
    expect(outcome.error).toMatch(
      /https:\/\/a\.example\.org\/sp .* is no longer described by any metadata provider/,
    );
    expect(relyingParties.saml(A)).toBe(before);
    expect(records.at(-1)!.get('e')).toEqual(['MetadataRefreshFailed']);
    expect(records.at(-1)!.get('det')).toContain('result=kept-previous');
    expect(lines.at(-1)).toMatch(
      /^ERROR metadata provider dir .* refresh refused, the last good metadata stays/,
    );
    // Not tried again until the directory changes.
    expect((await refresh.refresh('dir', 'call')).result).toBe('unchanged');
    refresh.close();
  });

  it('keeps the last good set when a new entity ID is an OIDC client id', async () => {
    const { config, relyingParties, refresh, write } = setUp();
    const clientId = config.relyingParties.find((rp) => rp.kind === 'oidc')!.id;
    write('clash.xml', spEntity(clientId, { acs: 'https://clash.example.org/acs' }, true));
    const outcome = await refresh.refresh('dir', 'call');
    expect(outcome.result).toBe('kept-previous');
    expect(outcome.error).toMatch(/duplicate relying party/);
    expect(relyingParties.oidc(clientId)).toBeDefined();
    refresh.close();
  });

  it('polls every refreshInterval when the files are not watched', async () => {
    const polled = PROVIDER.replace('refreshInterval: PT0S', 'refreshInterval: PT1S');
    const { relyingParties, records, refresh, write } = setUp(polled);
    write('b.xml', spEntity(B, { acs: 'https://b.example.org/acs' }, true));
    for (let waited = 0; waited < 10_000 && !relyingParties.saml(B); waited += 100)
      await new Promise((r) => setTimeout(r, 100));
    expect(relyingParties.saml(B)).toBeDefined();
    expect(records.at(-1)!.get('det')).toContain('trigger=poll');
    refresh.close();
    // Closed (as the IdP closes it): no more polls.
    write(
      'c.xml',
      spEntity('https://c.example.org/sp', { acs: 'https://c.example.org/acs' }, true),
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(relyingParties.saml('https://c.example.org/sp')).toBeUndefined();
  });
});
