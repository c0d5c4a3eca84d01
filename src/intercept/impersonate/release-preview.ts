/**
 * What a relying party would receive as an account — the identify level's preview. It is computed
 * from the same pieces the front-ends release with: the attributes as the filter releases them to
 * this RP, named as the RP would see them (SAML: the attribute's SAML 2 name; OIDC: its claim, for
 * the scopes the request asks and the client may have), and the subject identifier (SAML: the NameID
 * of the format the request and the SP's formats lead to; OIDC: `sub`). Nothing here is sent
 * anywhere, and nothing is stored: a persistent identifier not yet created stays so.
 */
import type { AttributeDefinition } from '../../attribute/attribute-resolver.js';
import type { AttributeValues } from '../../core/attribute-values.js';
import type { Json } from '../../core/request-context.js';
import { formatChoice, type NameIdPolicy } from '../../relying-party/name-id-choice.js';
import {
  NAMEID_FORMATS,
  type NameIdFormat,
  type RelyingParty,
  type SamlServiceProvider,
} from '../../relying-party/relying-party.js';

export interface ReleasePreview {
  readonly protocol: 'SAML 2.0' | 'OpenID Connect';
  /** The subject identifier: what it is called, its value, and a note when the value varies. */
  readonly subject: { readonly name: string; readonly value: string; readonly note?: string };
  /** Each released attribute or claim: its name at the RP, the attribute id, its values. */
  readonly items: readonly {
    readonly name: string;
    readonly id: string;
    readonly values: readonly string[];
  }[];
}

type Definitions = (id: string) => AttributeDefinition | undefined;

export function releasePreview(
  rp: RelyingParty,
  inbound: { readonly [key: string]: Json },
  account: string,
  released: AttributeValues,
  definition: Definitions,
): ReleasePreview {
  const entries = Object.entries(released).filter(([, values]) => values.length > 0);
  if (rp.kind === 'saml') {
    return {
      protocol: 'SAML 2.0',
      subject: samlNameId(rp, inbound.nameIdPolicy as NameIdPolicy | null, account, released),
      items: entries.flatMap(([id, values]) => {
        const name = definition(id)?.saml2?.name;
        return name ? [{ name, id, values: [...values] }] : [];
      }),
    };
  }
  const asked = new Set((typeof inbound.scope === 'string' ? inbound.scope : 'openid').split(' '));
  const granted = new Set(rp.scopes.filter((s) => asked.has(s)));
  return {
    protocol: 'OpenID Connect',
    subject: { name: 'sub', value: account },
    items: entries.flatMap(([id, values]) => {
      const oidc = definition(id)?.oidc;
      if (!oidc || !granted.has(oidc.scope)) return [];
      return [{ name: oidc.claim, id, values: oidc.multiValued ? [...values] : [values[0]!] }];
    }),
  };
}

/** The first of the allowed formats that would yield an identifier, as the responder picks it. */
function samlNameId(
  sp: SamlServiceProvider,
  policy: NameIdPolicy | null,
  account: string,
  released: AttributeValues,
): ReleasePreview['subject'] {
  const choice = formatChoice(sp, policy);
  if ('refused' in choice)
    return {
      name: 'NameID',
      value: '',
      note: `none: the SP would get InvalidNameIDPolicy (${choice.refused})`,
    };
  for (const format of choice.formats) {
    const subject = formatPreview(format, account, released, policy?.allowCreate !== false);
    if (subject) return subject;
  }
  // Only emailAddress can yield nothing here.
  return {
    name: `NameID (${choice.formats.map((f) => NAMEID_FORMATS[f]).join(', ')})`,
    value: '',
    note: 'none: no mail is released, the SP would get InvalidNameIDPolicy',
  };
}

function formatPreview(
  format: NameIdFormat,
  account: string,
  released: AttributeValues,
  allowCreate: boolean,
): ReleasePreview['subject'] | undefined {
  const name = `NameID (${NAMEID_FORMATS[format]})`;
  switch (format) {
    case 'unspecified':
      return { name, value: account };
    case 'transient':
      return { name, value: '', note: 'a new random identifier in each response' };
    case 'persistent':
      return {
        name,
        value: '',
        note: allowCreate
          ? "this account's stable identifier at this SP (created at its first release)"
          : "this account's stable identifier at this SP, if one was released before",
      };
    case 'emailAddress': {
      const mail = released.mail?.[0];
      return mail ? { name, value: mail } : undefined;
    }
  }
}
