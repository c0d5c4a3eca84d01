/**
 * The attribute resolver (Shibboleth's AttributeResolver): runs every attribute definition for one
 * principal over the data connectors. A run carries a resolution label naming why it runs
 * ("SAML2/SSO", "intercept/impersonate", …) so a definition can opt out of some runs — the shipped
 * conf, for example, does not resolve impersonatableUsernames for an impersonated account.
 */
import type { DataConnector } from './data-connector.js';
import type { AttributeValues } from '../core/attribute-values.js';
import type { SourceAttributes } from '../directory/user-directory.js';

interface AttributeEncoding {
  readonly saml2?: {
    readonly name: string;
    readonly friendlyName?: string;
    readonly nameFormat: string;
  };
  /** How the attribute appears as an OpenID Connect claim, and the scope that asks for it. */
  readonly oidc?: { readonly claim: string; readonly scope: string; readonly multiValued: boolean };
}

export interface AttributeDefinition extends AttributeEncoding {
  readonly id: string;
  /** simple: copy the source values; scoped: append @scope; principalName: the principal itself. */
  readonly type: 'simple' | 'scoped' | 'principalName';
  readonly connector: string;
  readonly sourceAttribute: string;
  readonly scope?: string;
  readonly excludeLabels: readonly string[];
}

export interface ResolutionRequest {
  readonly principal: string;
  readonly label: string;
}

export interface Resolution {
  readonly attributes: AttributeValues;
  /** Whether any data connector knows the principal at all. */
  readonly principalFound: boolean;
}

export class AttributeResolver {
  private readonly connectors: ReadonlyMap<string, DataConnector>;

  constructor(
    readonly definitions: readonly AttributeDefinition[],
    connectors: readonly DataConnector[],
  ) {
    this.connectors = new Map(connectors.map((c) => [c.id, c]));
  }

  definition(id: string): AttributeDefinition | undefined {
    return this.definitions.find((d) => d.id === id);
  }

  async resolve(request: ResolutionRequest): Promise<Resolution> {
    const active = this.definitions.filter((d) => !d.excludeLabels.includes(request.label));
    const needed = [...new Set(active.map((d) => d.connector))];
    const sources = new Map<string, SourceAttributes | undefined>();
    for (const id of needed)
      sources.set(id, await this.connectors.get(id)!.lookup(request.principal));

    const attributes: Record<string, string[]> = {};
    for (const def of active) {
      const source = sources.get(def.connector);
      if (!source) continue;
      const values = valuesOf(def, source, request.principal);
      if (values.length > 0) attributes[def.id] = values;
    }
    return { attributes, principalFound: [...sources.values()].some((s) => s !== undefined) };
  }
}

function valuesOf(def: AttributeDefinition, source: SourceAttributes, principal: string): string[] {
  switch (def.type) {
    case 'principalName':
      return [principal];
    case 'simple':
      return [...(source[def.sourceAttribute] ?? [])];
    case 'scoped':
      return (source[def.sourceAttribute] ?? []).map((v) => `${v}@${def.scope}`);
  }
}
