/**
 * The service providers a metadata document describes: an EntityDescriptor, or an
 * EntitiesDescriptor (nested ones included) of them. Only entities with an SPSSODescriptor count;
 * the others (IdPs, attribute authorities) are skipped. A document whose validUntil is past is
 * refused whole; an entity or nested group whose own validUntil is past is left out. Every entity
 * must be readable: one broken entity refuses the document (fail closed — the last good set stays).
 */
import { XMLSerializer } from '@xmldom/xmldom';
import {
  children,
  parseMetadataXml,
  spEntityDescriptorKeys,
  type SpMetadataKeys,
} from '../sp-metadata.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';

/** One service provider of a metadata document. */
export interface MetadataEntity {
  readonly keys: SpMetadataKeys;
  /** The EntityDescriptor, serialized on its own. */
  readonly xml: string;
  /** The file it was read from. */
  readonly file: string;
  /** The id of the metadata provider that read it. */
  readonly provider: string;
}

/** The service providers of `xml` (read from `file` by `provider`), in document order, at `now`. */
export function metadataEntities(
  xml: string,
  { file, provider }: { file: string; provider: string },
  now: number,
): MetadataEntity[] {
  const root = parseMetadataXml(xml);
  if (
    root.namespaceURI !== MD ||
    !['EntitiesDescriptor', 'EntityDescriptor'].includes(root.localName)
  )
    throw new Error('is not a SAML 2.0 EntitiesDescriptor or EntityDescriptor');
  if (expired(root, now))
    throw new Error(`has expired (validUntil ${root.getAttribute('validUntil') ?? ''})`);
  const out: MetadataEntity[] = [];
  const seen = new Set<string>();
  for (const descriptor of entityDescriptors(root, now)) {
    if (children(descriptor, MD, 'SPSSODescriptor').length === 0) continue;
    const keys = entityKeys(descriptor);
    if (seen.has(keys.entityID))
      throw new Error(`describes ${JSON.stringify(keys.entityID)} more than once`);
    seen.add(keys.entityID);
    out.push({ keys, xml: new XMLSerializer().serializeToString(descriptor), file, provider });
  }
  return out;
}

/** The EntityDescriptors of the document that have not expired, depth first. */
function entityDescriptors(el: Element, now: number): Element[] {
  if (el.localName === 'EntityDescriptor') return [el];
  const members: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    const child = n as Element;
    if (n.nodeType !== 1 || child.namespaceURI !== MD) continue;
    if (child.localName === 'EntitiesDescriptor' || child.localName === 'EntityDescriptor')
      members.push(child);
  }
  return members
    .filter((child) => !expired(child, now))
    .flatMap((child) => entityDescriptors(child, now));
}

function entityKeys(descriptor: Element): SpMetadataKeys {
  try {
    return spEntityDescriptorKeys(descriptor);
  } catch (err) {
    const id = descriptor.getAttribute('entityID') ?? '';
    throw new Error(`entity ${JSON.stringify(id)} ${(err as Error).message}`, { cause: err });
  }
}

/** Whether the element's validUntil is past; a validUntil that is no date refuses the document. */
function expired(el: Element, now: number): boolean {
  const validUntil = el.getAttribute('validUntil');
  if (!validUntil) return false;
  const at = Date.parse(validUntil);
  if (Number.isNaN(at)) throw new Error(`has a validUntil that is not a date: ${validUntil}`);
  return at <= now;
}
