/**
 * Who a samlServiceProviders entry of relying-party.yaml is and where its responses may go: its
 * entityID (the YAML key, or the metadata's when the entry gives only `metadataFile:`), its
 * metadata, and its endpoints. YAML keys win over the metadata: an assertionConsumerServiceURL
 * given in YAML is the SP's one endpoint (HTTP-POST, index 0, the default) and the metadata's
 * AssertionConsumerServices are then not used. A YAML entityID must be the metadata's.
 *
 * Without a metadataFile, the entityID's metadata comes from the metadataProviders (the first
 * describing it) with the same precedence; an entityID in no provider is an error unless the
 * entry gives its own assertionConsumerServiceURL (an SP configured in YAML alone).
 */
import path from 'node:path';
import type { ConfNode } from '../core/yaml-conf.js';
import {
  defaultAcs,
  HTTP_POST_BINDING,
  type AcsEndpoint,
  type SloEndpoint,
} from '../relying-party/saml-endpoints.js';
import type { MetadataCatalog } from '../relying-party/metadata/metadata-catalog.js';
import { spMetadataKeys, type SpMetadataKeys } from '../relying-party/sp-metadata.js';
import { readText } from './conf-files.js';

export interface SpRegistration {
  readonly id: string;
  readonly metadataXml?: string;
  readonly metadata?: SpMetadataKeys;
  readonly assertionConsumerServiceURL: string;
  readonly assertionConsumerServices: readonly AcsEndpoint[];
  readonly singleLogoutServices: readonly SloEndpoint[];
  readonly metadataNameIdFormats: readonly string[];
  /** The id of the metadata provider its metadata came from, if one did. */
  readonly metadataProvider?: string;
}

export function spRegistration(
  sp: ConfNode,
  confDir: string,
  seen: Set<string>,
  catalog: MetadataCatalog,
): SpRegistration {
  const { metadataXml, metadata, metadataProvider } = spMetadata(sp, confDir, catalog);
  const id = sp.optionalString('entityID') ?? metadata?.entityID;
  if (id === undefined) sp.fail('is required (or a metadataFile naming the SP)', 'entityID');
  if (seen.has(id))
    sp.fail('duplicate relying party', sp.has('entityID') ? 'entityID' : 'metadataFile');
  seen.add(id);
  const assertionConsumerServices = endpoints(sp, metadata);
  return {
    id,
    metadataXml,
    metadata,
    assertionConsumerServiceURL: defaultAcs(assertionConsumerServices)!.location,
    assertionConsumerServices,
    singleLogoutServices: metadata?.singleLogoutServices ?? [],
    metadataNameIdFormats: metadata?.nameIdFormats ?? [],
    metadataProvider,
  };
}

/** The metadataFile's text and what it says, checked to describe the YAML entityID if one is given. */
function spMetadata(
  sp: ConfNode,
  confDir: string,
  catalog: MetadataCatalog,
): Pick<SpRegistration, 'metadataXml' | 'metadata' | 'metadataProvider'> {
  const file = sp.optionalString('metadataFile');
  if (file === undefined) return fromProviders(sp, catalog);
  const metadataXml = readText(sp, 'metadataFile', path.resolve(confDir, file));
  try {
    // The YAML value, expanded: the entry's own entityID is read once more by spRegistration.
    const expected = sp.has('entityID') ? sp.string('entityID') : undefined;
    return { metadataXml, metadata: spMetadataKeys(metadataXml, expected) };
  } catch (err) {
    return sp.fail((err as Error).message, 'metadataFile');
  }
}

/** The entityID's metadata from the providers, when there are providers. */
function fromProviders(sp: ConfNode, catalog: MetadataCatalog) {
  if (!catalog.hasProviders || !sp.has('entityID')) return {};
  const entity = catalog.find(sp.string('entityID'));
  if (entity)
    return { metadataXml: entity.xml, metadata: entity.keys, metadataProvider: entity.provider };
  if (!sp.has('assertionConsumerServiceURL'))
    sp.fail(
      'is described by no metadata provider (and the entry has no metadataFile or assertionConsumerServiceURL)',
      'entityID',
    );
  return {};
}

/** The YAML URL as the one endpoint, else the metadata's; either way one must take HTTP-POST. */
function endpoints(sp: ConfNode, metadata: SpMetadataKeys | undefined): readonly AcsEndpoint[] {
  const url = sp.optionalString('assertionConsumerServiceURL');
  if (url !== undefined) {
    checkHttpUrl(sp, 'assertionConsumerServiceURL', url);
    return [{ location: url, binding: HTTP_POST_BINDING, index: 0, isDefault: true }];
  }
  if (!metadata)
    sp.fail(
      "is required (or a metadataFile listing the SP's endpoints)",
      'assertionConsumerServiceURL',
    );
  if (!defaultAcs(metadata.assertionConsumerServices))
    sp.fail(
      'lists no HTTP-POST AssertionConsumerService (the only binding responses are sent by), and no assertionConsumerServiceURL is set',
      'metadataFile',
    );
  return metadata.assertionConsumerServices;
}

function checkHttpUrl(node: ConfNode, key: string, value: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    node.fail('must be an absolute URL', key);
  }
  if (protocol !== 'https:' && protocol !== 'http:') node.fail('must be an http(s) URL', key);
}
