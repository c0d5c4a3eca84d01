/**
 * The one validator: reads every file in the configuration folder, checks it, and returns typed
 * configuration. Anything wrong throws a ConfigurationError naming the file (with line) and the key,
 * before the IdP listens. Each file is read by its own module:
 *
 *   idp.properties            properties (see defaults.ts)                   idp-properties.ts
 *   relying-party.yaml        SAML service providers, OpenID Connect clients,
 *                             resource servers                               relying-party-conf.ts
 *                             metadata providers                             metadata-providers-conf.ts
 *   attribute-resolver.yaml   data connectors and attribute definitions      attribute-resolver-conf.ts
 *   attribute-filter.yaml     release rules per relying party                attribute-filter-conf.ts
 *   access-control.yaml       named casbin policies                          access/policy-files.ts
 *   errors.yaml               local error events (Shibboleth's LocalEventMap) errors-conf.ts
 *   audit.yaml                audit log format                               audit-conf.ts
 *   messages.properties       text of pages and error messages               messages-conf.ts
 */
import path from 'node:path';
import { readAccessControlConf, type NamedPolicyFiles } from '../access/policy-files.js';
import type { AttributeFilterPolicy } from '../attribute/attribute-filter.js';
import type { AttributeDefinition } from '../attribute/attribute-resolver.js';
import type { IdpEvent } from '../core/events.js';
import { YamlConf } from '../core/yaml-conf.js';
import type { MetadataCatalog } from '../relying-party/metadata/metadata-catalog.js';
import type {
  MetadataProviderSpec,
  MetadataSignatureCheck,
} from '../relying-party/metadata/metadata-provider.js';
import type {
  RelyingParty,
  ResourceServer,
  SamlServiceProvider,
} from '../relying-party/relying-party.js';
import { loadAttributeFilter } from './attribute-filter-conf.js';
import {
  loadAttributeDefinitions,
  loadDataConnectors,
  type DataConnectorConfig,
} from './attribute-resolver-conf.js';
import { loadAudit } from './audit-conf.js';
import { loadLocalEvents } from './errors-conf.js';
import { loadIdpProperties, type IdpProperties } from './idp-properties.js';
import type { PropertySources } from './property-sources.js';
import { loadMessages } from './messages-conf.js';
import { loadMetadataCatalog, metadataProviderSpecs } from './metadata-providers-conf.js';
import {
  loadRelyingParties,
  loadResourceServers,
  loadSamlServiceProviders,
} from './relying-party-conf.js';

/** relying-party.yaml's metadataProviders, for the refresh (src/wiring/saml-metadata.ts). */
export interface SamlMetadataConf {
  readonly providers: readonly MetadataProviderSpec[];
  /** What the providers held at start-up. */
  readonly catalog: MetadataCatalog;
  /** The verifier of signed metadata (undefined: signed providers cannot be read). */
  readonly check: MetadataSignatureCheck | undefined;
  /** The SAML SPs of relying-party.yaml built again over `catalog`; throws as at start-up. */
  rebuild(catalog: MetadataCatalog): SamlServiceProvider[];
}

export interface IdpConfiguration {
  readonly properties: IdpProperties;
  readonly relyingParties: readonly RelyingParty[];
  /** Resource servers that may introspect OpenID Connect clients' access tokens. */
  readonly resourceServers: readonly ResourceServer[];
  readonly samlMetadata: SamlMetadataConf;
  readonly dataConnectors: readonly DataConnectorConfig[];
  readonly attributeDefinitions: readonly AttributeDefinition[];
  readonly attributeFilterPolicies: readonly AttributeFilterPolicy[];
  readonly accessControlPolicies: readonly NamedPolicyFiles[];
  /** event → whether it is audited (Shibboleth's shibboleth.LocalEventMap). */
  readonly localEvents: ReadonlyMap<IdpEvent, boolean>;
  readonly audit: {
    readonly format: string;
    readonly fieldReplacements: ReadonlyMap<string, string>;
  };
  readonly messages: ReadonlyMap<string, string>;
}

export const CONF_FILES = {
  relyingParty: 'relying-party.yaml',
  attributeResolver: 'attribute-resolver.yaml',
  attributeFilter: 'attribute-filter.yaml',
  accessControl: 'access-control.yaml',
  errors: 'errors.yaml',
  audit: 'audit.yaml',
  messages: 'messages.properties',
} as const;

/**
 * Reads idp.properties, attribute-resolver.yaml, relying-party.yaml, then the other files in the
 * order of the result; with several files wrong, the first in that order is reported. `check`
 * verifies signed metadata (the SAML front-end's verifier, handed in by the composition root).
 */
export function loadConfiguration(
  sources: PropertySources,
  check?: MetadataSignatureCheck,
): IdpConfiguration {
  const properties = loadIdpProperties(sources);
  const read = (name: string) => YamlConf.read(path.join(sources.confDir, name), properties.lookup);

  const resolverConf = read(CONF_FILES.attributeResolver).root;
  const dataConnectors = loadDataConnectors(resolverConf);
  const attributeDefinitions = loadAttributeDefinitions(resolverConf, dataConnectors);
  const relyingPartyConf = read(CONF_FILES.relyingParty).root;
  const providers = metadataProviderSpecs(relyingPartyConf, sources.confDir);
  const catalog = loadMetadataCatalog(relyingPartyConf, providers, check);
  const relyingParties = loadRelyingParties(relyingPartyConf, sources.confDir, catalog);
  const resourceServers = loadResourceServers(relyingPartyConf, relyingParties);
  // On a refresh the other relying parties stay; their ids stay taken.
  const others = [...relyingParties.filter((rp) => rp.kind !== 'saml'), ...resourceServers];
  return {
    properties,
    relyingParties,
    resourceServers,
    samlMetadata: {
      providers,
      catalog,
      check,
      rebuild: (next) =>
        loadSamlServiceProviders(
          relyingPartyConf,
          sources.confDir,
          next,
          new Set(others.map((rp) => rp.id)),
        ),
    },
    dataConnectors,
    attributeDefinitions,
    attributeFilterPolicies: loadAttributeFilter(
      read(CONF_FILES.attributeFilter).root,
      attributeDefinitions,
    ),
    accessControlPolicies: readAccessControlConf(
      read(CONF_FILES.accessControl).root,
      sources.confDir,
    ),
    localEvents: loadLocalEvents(read(CONF_FILES.errors).root),
    audit: loadAudit(read(CONF_FILES.audit).root, properties.audit.chainEnabled),
    messages: loadMessages(sources.confDir, CONF_FILES.messages),
  };
}
