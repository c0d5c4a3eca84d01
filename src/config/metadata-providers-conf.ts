/**
 * metadataProviders: in relying-party.yaml — where SAML metadata comes from besides an SP's own
 * metadataFile: a file, a directory of files, or a signed aggregate (docs/configuration.md). Each
 * provider is read here at start-up; a provider that cannot be read, verified or parsed fails
 * start-up with its file. Signatures fail closed: an aggregate needs a signingCertificate unless
 * `requireSignature: false` says, in so many words, that it is trusted unsigned.
 */
import path from 'node:path';
import { YamlConf, type ConfNode } from '../core/yaml-conf.js';
import { MetadataCatalog } from '../relying-party/metadata/metadata-catalog.js';
import {
  readMetadataProvider,
  type MetadataProviderSpec,
  type MetadataProviderType,
  type MetadataSignatureCheck,
} from '../relying-party/metadata/metadata-provider.js';
import { readPem } from './conf-files.js';
import { parseDuration } from './duration.js';

const TYPES: readonly MetadataProviderType[] = ['file', 'directory', 'aggregate'];
const DEFAULT_REFRESH = 'PT5M';

/** The providers of relying-party.yaml, each with its conf node (for errors naming its keys). */
export function metadataProviderSpecs(root: ConfNode, confDir: string): MetadataProviderSpec[] {
  const ids = new Set<string>();
  return root.list('metadataProviders').map((node) => {
    node.allowKeys(
      'id',
      'type',
      'path',
      'signingCertificate',
      'requireSignature',
      'serveUnlisted',
      'refreshInterval',
      'watch',
    );
    const id = node.string('id');
    if (ids.has(id)) node.fail('duplicate metadata provider id', 'id');
    ids.add(id);
    return {
      id,
      type: providerType(node),
      path: path.resolve(confDir, node.string('path')),
      signingCertificate: signingCertificate(node, confDir),
      serveUnlisted: node.boolean('serveUnlisted', false),
      refreshIntervalMs: refreshInterval(node),
      watch: node.boolean('watch', true),
      declaredAt: node.conf.where(node.at),
    };
  });
}

/** Every provider read once, in order; the first that fails fails start-up with its file. */
export function loadMetadataCatalog(
  root: ConfNode,
  specs: readonly MetadataProviderSpec[],
  check: MetadataSignatureCheck | undefined,
): MetadataCatalog {
  return new MetadataCatalog(
    specs.map((spec, i) => {
      try {
        return readMetadataProvider(spec, check);
      } catch (err) {
        return root
          .child('metadataProviders')
          .child(i)
          .fail((err as Error).message, 'path');
      }
    }),
  );
}

function providerType(node: ConfNode): MetadataProviderType {
  const type = node.string('type');
  if (!(TYPES as readonly string[]).includes(type))
    node.fail(`must be one of ${TYPES.join(', ')}`, 'type');
  return type as MetadataProviderType;
}

/** The certificate documents must be signed with; required for an aggregate unless waived. */
function signingCertificate(node: ConfNode, confDir: string): string | undefined {
  const file = node.optionalString('signingCertificate');
  const aggregate = node.string('type') === 'aggregate';
  const require = node.boolean('requireSignature', aggregate || file !== undefined);
  if (file === undefined) {
    if (require)
      node.fail(
        aggregate
          ? 'is required for an aggregate (or set requireSignature: false to trust it unsigned)'
          : 'is required when requireSignature is true',
        'signingCertificate',
      );
    return undefined;
  }
  if (!require)
    node.fail('must not be false when a signingCertificate is given', 'requireSignature');
  return readPem(node, 'signingCertificate', path.resolve(confDir, file));
}

function refreshInterval(node: ConfNode): number {
  const text = node.string('refreshInterval', DEFAULT_REFRESH);
  const ms = parseDuration(text);
  if (ms === undefined)
    node.fail('must be an ISO-8601 duration such as PT5M (PT0S: never)', 'refreshInterval');
  if (ms > 0 && ms < 1000) node.fail('must be at least PT1S (or PT0S: never)', 'refreshInterval');
  return ms;
}

/**
 * A conf entry `entityID: …` (and nothing else: every default) for each SP of a serveUnlisted
 * provider that samlServiceProviders does not list; its errors name the metadata file.
 */
export function unlistedSpEntries(
  catalog: MetadataCatalog,
  listed: ReadonlySet<string>,
): ConfNode[] {
  return catalog
    .unlisted(listed)
    .map(
      (entity) =>
        new YamlConf(entity.file, JSON.stringify({ entityID: entity.keys.entityID }), NO_PROPERTIES)
          .root,
    );
}

/** An entityID is the metadata's text: never a %{property} reference into the IdP's properties. */
const NO_PROPERTIES = (): undefined => undefined;
