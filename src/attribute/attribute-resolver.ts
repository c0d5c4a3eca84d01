/**
 * The attribute resolver (Shibboleth's AttributeResolver): runs every attribute definition for one
 * principal over the data connectors. A run carries a resolution label naming why it runs
 * ("SAML2/SSO", "intercept/impersonate", …) so a definition can opt out of some runs — the shipped
 * conf, for example, does not resolve impersonatableUsernames for an impersonated account.
 *
 * One definition type reads no data connector: `delegationActor` takes its value from the request
 * itself — the real user acting, when an identity is released at impersonation level `delegate`
 * (ResolutionRequest.actor) — so no directory entry can ever set it, and it is empty otherwise.
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
  /**
   * simple: copy the source values; scoped: append @scope; principalName: the principal itself;
   * delegationActor: the actor of a delegated identity (ResolutionRequest.actor), from no connector.
   */
  readonly type: 'simple' | 'scoped' | 'principalName' | 'delegationActor';
  /** The data connector read (none for delegationActor: ''). */
  readonly connector: string;
  readonly sourceAttribute: string;
  readonly scope?: string;
  readonly excludeLabels: readonly string[];
}

export interface ResolutionRequest {
  readonly principal: string;
  readonly label: string;
  /**
   * Only when the principal's identity is released at impersonation level delegate: the real user
   * acting for it (SubjectContext.impersonation.impersonator). The value of delegationActor
   * definitions; without it they resolve to nothing.
   */
  readonly actor?: string;
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
    const active = this.active(request.label).filter((d) => d.type !== 'delegationActor');
    const needed = [...new Set(active.map((d) => d.connector))];
    const sources = new Map<string, SourceAttributes | undefined>();
    for (const id of needed)
      sources.set(id, await this.connectors.get(id)!.lookup(request.principal));

    const attributes: Record<string, readonly string[]> = {};
    for (const def of active) {
      const source = sources.get(def.connector);
      if (!source) continue;
      const values = valuesOf(def, source, request.principal);
      if (values.length > 0) attributes[def.id] = values;
    }
    Object.assign(attributes, this.actorAttributes(request.label, request.actor));
    return { attributes, principalFound: [...sources.values()].some((s) => s !== undefined) };
  }

  /**
   * The delegationActor attributes alone, for a request whose other attributes are resolved
   * already: the actor under every such definition the label does not exclude; nothing without
   * an actor.
   */
  actorAttributes(label: string, actor: string | undefined): AttributeValues {
    if (actor === undefined || actor === '') return {};
    const defs = this.active(label).filter((d) => d.type === 'delegationActor');
    return Object.fromEntries(defs.map((d) => [d.id, [actor]]));
  }

  private active(label: string): AttributeDefinition[] {
    return this.definitions.filter((d) => !d.excludeLabels.includes(label));
  }
}

function valuesOf(def: AttributeDefinition, source: SourceAttributes, principal: string): string[] {
  switch (def.type) {
    case 'delegationActor':
      return [];
    case 'principalName':
      return [principal];
    case 'simple':
      return [...(source[def.sourceAttribute] ?? [])];
    case 'scoped':
      return (source[def.sourceAttribute] ?? []).map((v) => `${v}@${def.scope}`);
  }
}
