/**
 * A metadata provider of relying-party.yaml (`metadataProviders:`): one metadata file, a directory
 * of them (every *.xml file directly in it), or a signed aggregate. Reading one yields a snapshot —
 * every service provider it describes — or an error naming the file; nothing half-read is ever
 * returned, so a refresh either has a complete new snapshot or keeps the last good one.
 *
 * Signatures are checked by a MetadataSignatureCheck handed in by the caller (the SAML front-end's
 * verifier: the layers below it cannot reach libxml2); the text it returns — the document as the
 * verifier parsed it — is the text read, so what was verified is what is used.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { IdpError } from '../../core/errors.js';
import { metadataEntities, type MetadataEntity } from './metadata-entities.js';

/** No metadata document is read past this size (a federation aggregate is a few tens of MB at most). */
const MAX_METADATA_FILE_BYTES = 64 * 1024 * 1024;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export type MetadataProviderType = 'file' | 'directory' | 'aggregate';

export interface MetadataProviderSpec {
  readonly id: string;
  readonly type: MetadataProviderType;
  /** Absolute path of the file or directory. */
  readonly path: string;
  /** PEM certificate every document must be signed with (undefined: documents are not signed). */
  readonly signingCertificate?: string;
  /** Serve every SP of the provider, listed in samlServiceProviders or not. */
  readonly serveUnlisted: boolean;
  /** Poll for changes this often (0: never). */
  readonly refreshIntervalMs: number;
  /** Watch the file or directory for changes (fs.watch). */
  readonly watch: boolean;
  /** Where it is configured ("conf/relying-party.yaml:12"). */
  readonly declaredAt: string;
}

/**
 * Verifies the enveloped signature of the document's root with `certificatePem` only and returns
 * the document's text as verified; throws (a message without the file name) when it is refused.
 */
export type MetadataSignatureCheck = (bytes: Uint8Array, certificatePem: string) => string;

export interface MetadataSnapshot {
  readonly provider: MetadataProviderSpec;
  /** entityID → the SP, from every file of the provider. */
  readonly entities: ReadonlyMap<string, MetadataEntity>;
  /** What was read: the fingerprint of the files (see metadataFingerprint). */
  readonly fingerprint: string;
}

function metadataError(file: string, problem: string, cause?: unknown): IdpError {
  return new IdpError('METADATA_INVALID', `${file}: ${problem}`, { cause });
}

/** The files of the provider, in name order (a directory's *.xml files). */
function providerFiles(spec: MetadataProviderSpec): string[] {
  if (spec.type !== 'directory') return [spec.path];
  let names: string[];
  try {
    names = readdirSync(spec.path);
  } catch (err) {
    throw metadataError(spec.path, `cannot list: ${ioCode(err)}`, err);
  }
  return names
    .filter((n) => n.endsWith('.xml'))
    .sort()
    .map((n) => path.join(spec.path, n));
}

/** A hash of the provider's file names and contents: a refresh runs only when it changes. */
export function metadataFingerprint(spec: MetadataProviderSpec): string {
  const hash = createHash('sha256');
  for (const file of providerFiles(spec)) hash.update(file).update('\0').update(readCapped(file));
  return hash.digest('hex');
}

/** Reads, verifies and parses every file of the provider. */
export function readMetadataProvider(
  spec: MetadataProviderSpec,
  check: MetadataSignatureCheck | undefined,
  now = Date.now(),
): MetadataSnapshot {
  const hash = createHash('sha256');
  const entities = new Map<string, MetadataEntity>();
  for (const file of providerFiles(spec)) {
    const bytes = readCapped(file);
    hash.update(file).update('\0').update(bytes);
    for (const entity of documentEntities(spec, file, bytes, check, now)) {
      const other = entities.get(entity.keys.entityID);
      if (other)
        throw metadataError(
          file,
          `describes ${JSON.stringify(entity.keys.entityID)}, which ${other.file} describes too`,
        );
      entities.set(entity.keys.entityID, entity);
    }
  }
  return { provider: spec, entities, fingerprint: hash.digest('hex') };
}

function documentEntities(
  spec: MetadataProviderSpec,
  file: string,
  bytes: Buffer,
  check: MetadataSignatureCheck | undefined,
  now: number,
): MetadataEntity[] {
  try {
    const text = spec.signingCertificate
      ? verified(bytes, spec.signingCertificate, check)
      : utf8(bytes);
    return metadataEntities(text, { file, provider: spec.id }, now);
  } catch (err) {
    throw metadataError(file, (err as Error).message, err);
  }
}

function verified(bytes: Buffer, certificate: string, check: MetadataSignatureCheck | undefined) {
  // Fail closed: a document that must be signed is never read unverified.
  if (!check) throw new Error('must be signed, and no signature verifier is available here');
  return check(bytes, certificate);
}

function utf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new Error('is not UTF-8 text');
  }
}

function readCapped(file: string): Buffer {
  try {
    const size = statSync(file).size;
    if (size > MAX_METADATA_FILE_BYTES)
      throw metadataError(file, `is ${size} bytes; at most ${MAX_METADATA_FILE_BYTES} are read`);
    const bytes = readFileSync(file);
    if (bytes.length > MAX_METADATA_FILE_BYTES)
      throw metadataError(file, `grew past ${MAX_METADATA_FILE_BYTES} bytes while read`);
    return bytes;
  } catch (err) {
    if (err instanceof IdpError) throw err;
    throw metadataError(file, `cannot read: ${ioCode(err)}`, err);
  }
}

function ioCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
