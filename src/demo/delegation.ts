/**
 * What the demo SP shows of a delegated identity: who acts for the subject. An SP that reads the
 * assertion's conditions finds the actor in the OASIS Delegation Restriction condition
 * (del:Delegate/saml:NameID; the newest delegate is the last); one that reads only attributes finds
 * it in the IdP's actor attribute. Both come from the assertion node-saml has verified.
 */
import type { Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DEL = 'urn:oasis:names:tc:SAML:2.0:conditions:delegation';
/** The SAML name of the actor attribute (conf/attribute-resolver.yaml, id actor). */
export const ACTOR_ATTRIBUTE = 'urn:x-idp-impersonate:actor';

/** The account acting for the subject, or undefined when the identity is not delegated. */
export function actorOf(profile: Profile | null): string | undefined {
  if (!profile) return undefined;
  return delegateInConditions(profile.getAssertionXml?.()) ?? actorAttribute(profile);
}

function delegateInConditions(assertionXml: string | undefined): string | undefined {
  if (!assertionXml) return undefined;
  const doc = new DOMParser().parseFromString(assertionXml, 'text/xml');
  const conditions = doc.getElementsByTagNameNS(SAML, 'Conditions')[0];
  if (!conditions) return undefined;
  const delegates = Array.from(conditions.getElementsByTagNameNS(DEL, 'Delegate'));
  const nameId = delegates.at(-1)?.getElementsByTagNameNS(SAML, 'NameID')[0];
  const actor = nameId?.textContent?.trim();
  return actor ? actor : undefined;
}

function actorAttribute(profile: Profile): string | undefined {
  const value = (profile.attributes as Record<string, unknown> | undefined)?.[ACTOR_ATTRIBUTE];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}
