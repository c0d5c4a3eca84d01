/**
 * conf/attribute-resolver.yaml: the data connectors and the attribute definitions resolved over
 * them, with how each attribute is encoded for SAML and as an OpenID Connect claim.
 */
import type { AttributeDefinition } from '../attribute/attribute-resolver.js';
import type { ConfNode } from '../core/yaml-conf.js';

/** Claims the OpenID Provider sets itself; no attribute may be released under these names. */
const RESERVED_CLAIMS = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  'act',
  'may_act',
  'client_id',
  'scope',
  'cnf',
]);

export interface DataConnectorConfig {
  readonly id: string;
  readonly type: 'directory';
}

export function loadDataConnectors(root: ConfNode): DataConnectorConfig[] {
  root.allowKeys('dataConnectors', 'attributeDefinitions');
  return root.list('dataConnectors').map((c: ConfNode) => {
    c.allowKeys('id', 'type');
    const type = c.string('type');
    if (type !== 'directory')
      c.fail(
        "must be directory (the IdP's user directory, SQLite or LDAP: idp.directory.type)",
        'type',
      );
    return { id: c.string('id'), type };
  });
}

/** What the definitions read so far have taken, and the connectors they may name. */
interface Declared {
  readonly connectorIds: ReadonlySet<string>;
  readonly defaultConnector: string;
  readonly ids: Set<string>;
  readonly claims: Set<string>;
  /** SAML names taken so far, and whether a delegationActor definition took it. */
  readonly samlNames: Map<string, boolean>;
}

export function loadAttributeDefinitions(
  root: ConfNode,
  connectors: readonly DataConnectorConfig[],
): AttributeDefinition[] {
  const declared: Declared = {
    connectorIds: new Set(connectors.map((c) => c.id)),
    defaultConnector: connectors[0]?.id ?? '',
    ids: new Set<string>(),
    claims: new Set<string>(),
    samlNames: new Map<string, boolean>(),
  };
  return root.list('attributeDefinitions').map((d) => attributeDefinition(d, declared));
}

function attributeDefinition(d: ConfNode, declared: Declared): AttributeDefinition {
  d.allowKeys(
    'id',
    'type',
    'dataConnector',
    'sourceAttribute',
    'scope',
    'excludeLabels',
    'saml2',
    'oidc',
  );
  const id = d.string('id');
  if (declared.ids.has(id)) d.fail('duplicate attribute id', 'id');
  declared.ids.add(id);
  const type = attributeType(d);
  const source = attributeSource(d, type, declared);
  const saml2 = d.has('saml2')
    ? d.child('saml2').allowKeys('name', 'friendlyName', 'nameFormat')
    : undefined;
  const oidc = d.has('oidc')
    ? d.child('oidc').allowKeys('claim', 'scope', 'multiValued')
    : undefined;
  const claim = oidc && releasedClaim(oidc, declared.claims);
  if (saml2) actorSamlName(saml2, type, declared.samlNames);
  return {
    id,
    type,
    ...source,
    excludeLabels: d.strings('excludeLabels'),
    saml2: saml2 && {
      name: saml2.string('name'),
      friendlyName: saml2.optionalString('friendlyName'),
      nameFormat: saml2.string('nameFormat', 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri'),
    },
    oidc: oidc && {
      claim: claim!,
      scope: oidc.string('scope', 'profile'),
      multiValued: oidc.boolean('multiValued', false),
    },
  };
}

const TYPES: readonly AttributeDefinition['type'][] = [
  'simple',
  'scoped',
  'principalName',
  'delegationActor',
];

function attributeType(d: ConfNode): AttributeDefinition['type'] {
  const type = d.string('type', 'simple');
  if (!(TYPES as readonly string[]).includes(type))
    d.fail('must be simple, scoped, principalName or delegationActor', 'type');
  return type as AttributeDefinition['type'];
}

/**
 * Where the values come from: a data connector — or, for delegationActor, the request alone, so
 * naming a connector, a source attribute or a scope there is an error (no directory entry may set
 * who acted).
 */
function attributeSource(
  d: ConfNode,
  type: AttributeDefinition['type'],
  declared: Declared,
): Pick<AttributeDefinition, 'connector' | 'sourceAttribute' | 'scope'> {
  const id = d.string('id');
  if (type === 'delegationActor') {
    for (const key of ['dataConnector', 'sourceAttribute', 'scope'])
      if (d.has(key))
        d.fail(
          'a delegationActor attribute takes its value from the request, not a connector',
          key,
        );
    return { connector: '', sourceAttribute: id, scope: undefined };
  }
  const connector = d.string('dataConnector', declared.defaultConnector);
  if (!declared.connectorIds.has(connector))
    d.fail(
      `names no data connector (have ${[...declared.connectorIds].join(', ')})`,
      'dataConnector',
    );
  return {
    connector,
    sourceAttribute: d.string('sourceAttribute', id),
    scope: type === 'scoped' ? d.string('scope') : undefined,
  };
}

/**
 * saml2.name of a delegationActor attribute is its own: an SP reading it trusts it names who
 * acted, so no other definition — whose values a directory entry could set — may share it.
 */
function actorSamlName(
  saml2: ConfNode,
  type: AttributeDefinition['type'],
  samlNames: Map<string, boolean>,
): void {
  const name = saml2.string('name');
  const taken = samlNames.get(name);
  if (taken !== undefined && (taken || type === 'delegationActor'))
    saml2.fail(
      `${name} is the SAML name of a delegationActor attribute and another attribute's`,
      'name',
    );
  samlNames.set(name, (taken ?? false) || type === 'delegationActor');
}

/** oidc.claim: neither one the OpenID Provider sets itself nor one another attribute produces. */
function releasedClaim(oidc: ConfNode, claims: Set<string>): string {
  const claim = oidc.string('claim');
  if (RESERVED_CLAIMS.has(claim))
    oidc.fail(`${claim} is set by the OpenID Provider itself`, 'claim');
  if (claims.has(claim))
    oidc.fail(`claim ${claim} is already produced by another attribute`, 'claim');
  claims.add(claim);
  return claim;
}
