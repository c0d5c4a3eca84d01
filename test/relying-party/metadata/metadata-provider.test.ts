/**
 * Reading a metadata provider (metadata-provider.ts, metadata-entities.ts): the SPs of a file or a
 * directory, validUntil at every level, entities that are not SPs skipped, and fail-closed reading
 * — a document that must be signed is never read without a verifier.
 */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readMetadataProvider,
  type MetadataProviderSpec,
} from '../../../src/relying-party/metadata/metadata-provider.js';
import { aggregate, MD, spEntity } from '../../support/sp-aggregate.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const PAST = '2026-05-01T00:00:00Z';
const FUTURE = '2027-01-01T00:00:00Z';

function provider(files: Record<string, string>, o: Partial<MetadataProviderSpec> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'md-provider-'));
  mkdirSync(path.join(dir, 'md'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'md', name), text);
  const spec: MetadataProviderSpec = {
    id: 'p',
    type: 'directory',
    path: path.join(dir, 'md'),
    serveUnlisted: false,
    refreshIntervalMs: 0,
    watch: false,
    declaredAt: 'conf/relying-party.yaml:1',
    ...o,
  };
  return spec;
}
const ids = (spec: MetadataProviderSpec) => [
  ...readMetadataProvider(spec, undefined, NOW).entities.keys(),
];
const sp = (id: string, validUntil?: string) => spEntity(id, { acs: `${id}/acs`, validUntil });

describe('a metadata provider', () => {
  it('reads every *.xml file of a directory, in name order', () => {
    const spec = provider({
      'b.xml': spEntity('https://b/sp', { acs: 'https://b/acs' }, true),
      'a.xml': spEntity('https://a/sp', { acs: 'https://a/acs' }, true),
      'c.txt': 'ignored',
    });
    const snapshot = readMetadataProvider(spec, undefined, NOW);
    expect([...snapshot.entities.keys()]).toEqual(['https://a/sp', 'https://b/sp']);
    expect(snapshot.entities.get('https://a/sp')!.file).toBe(path.join(spec.path, 'a.xml'));
    expect(snapshot.entities.get('https://a/sp')!.provider).toBe('p');
  });

  it('leaves out expired entities and groups, and entities without an SPSSODescriptor', () => {
    const idp = `<md:EntityDescriptor entityID="https://idp/"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`;
    const group = (validUntil: string, inner: string) =>
      `<md:EntitiesDescriptor validUntil="${validUntil}">${inner}</md:EntitiesDescriptor>`;
    const xml = aggregate([
      sp('https://live'),
      sp('https://gone', PAST),
      sp('https://later', FUTURE),
      idp,
      group(PAST, sp('https://in-old-group')),
      group(FUTURE, sp('https://in-group')),
    ]);
    expect(ids(provider({ 'agg.xml': xml }))).toEqual([
      'https://live',
      'https://later',
      'https://in-group',
    ]);
  });

  it('refuses an expired document, a validUntil that is no date, and one entity twice', () => {
    const fails = (xml: string) => () => ids(provider({ 'agg.xml': xml }));
    expect(fails(aggregate([sp('https://a')], { validUntil: PAST }))).toThrow(
      /agg\.xml: has expired \(validUntil 2026-05-01T00:00:00Z\)$/,
    );
    expect(fails(aggregate([sp('https://a')], { validUntil: 'soon' }))).toThrow(
      /validUntil that is not a date: soon/,
    );
    expect(fails(aggregate([sp('https://a'), sp('https://a')]))).toThrow(
      /describes "https:\/\/a" more than once/,
    );
    expect(
      fails(
        `<md:EntitiesDescriptor xmlns:md="${MD}"><md:EntityDescriptor entityID="https://x"><md:SPSSODescriptor protocolSupportEnumeration="p"><md:KeyDescriptor><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:SPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor>`,
      ),
    ).toThrow(/entity "https:\/\/x" holds a certificate that cannot be read/);
    expect(fails('<other/>')).toThrow(/is not a SAML 2.0 EntitiesDescriptor or EntityDescriptor/);
  });

  it('never reads a document that must be signed without a verifier', () => {
    const spec = provider(
      { 'agg.xml': aggregate([sp('https://a')]) },
      { signingCertificate: 'PEM' },
    );
    expect(() => ids(spec)).toThrow(/must be signed, and no signature verifier is available/);
  });

  it('reads no file larger than 64 MB', () => {
    const spec = provider({ 'huge.xml': '' });
    // Sparse: the size is what counts, checked before anything is read.
    truncateSync(path.join(spec.path, 'huge.xml'), 64 * 1024 * 1024 + 1);
    expect(() => ids(spec)).toThrow(/huge\.xml: is 67108865 bytes; at most 67108864 are read$/);
    rmSync(path.dirname(spec.path), { recursive: true, force: true });
  });

  it('fails naming a directory that does not exist', () => {
    const spec = provider({}, { path: '/nonexistent/md' });
    expect(() => ids(spec)).toThrow(/^\/nonexistent\/md: cannot list: ENOENT$/);
  });
});
