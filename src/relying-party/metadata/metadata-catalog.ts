/**
 * The SPs of every metadata provider, in the providers' order: an entityID several providers
 * describe is taken from the first of them. Immutable: a refresh makes a new catalog with one
 * provider's snapshot replaced (`with`), and the registry is rebuilt from it or not at all.
 */
import type { MetadataEntity } from './metadata-entities.js';
import type { MetadataSnapshot } from './metadata-provider.js';

export class MetadataCatalog {
  constructor(readonly snapshots: readonly MetadataSnapshot[] = []) {}

  get hasProviders(): boolean {
    return this.snapshots.length > 0;
  }

  /** The SP's metadata, from the first provider describing it. */
  find(entityID: string): MetadataEntity | undefined {
    for (const s of this.snapshots) {
      const entity = s.entities.get(entityID);
      if (entity) return entity;
    }
    return undefined;
  }

  /** The SPs of serveUnlisted providers that are not in `listed` (first provider wins). */
  unlisted(listed: ReadonlySet<string>): MetadataEntity[] {
    const seen = new Set(listed);
    const out: MetadataEntity[] = [];
    for (const s of this.snapshots) {
      if (!s.provider.serveUnlisted) continue;
      for (const [entityID, entity] of s.entities) {
        if (seen.has(entityID) || this.find(entityID) !== entity) continue;
        seen.add(entityID);
        out.push(entity);
      }
    }
    return out;
  }

  /** This catalog with the snapshot of `snapshot`'s provider replaced by it. */
  with(snapshot: MetadataSnapshot): MetadataCatalog {
    return new MetadataCatalog(
      this.snapshots.map((s) => (s.provider.id === snapshot.provider.id ? snapshot : s)),
    );
  }
}
