/**
 * The request-signing keys of a samlServiceProviders entry: which certificates verify the SP's
 * AuthnRequests (signingCertificate, then its metadata's), whether it must sign them, whether SHA-1
 * is tolerated, and the impersonation cap its metadata declares.
 */
import type { ConfNode } from '../core/yaml-conf.js';
import {
  MAX_IMPERSONATION_LEVEL_ATTRIBUTE,
  type SpMetadataKeys,
} from '../relying-party/sp-metadata.js';
import { declaredLevel } from './impersonation-conf.js';

/**
 * Which certificates verify the SP's AuthnRequests, whether it must sign them, and whether SHA-1
 * is tolerated. A signature requirement (or a SHA-1 allowance) without any certificate could never
 * be met, so it fails here rather than on every request.
 */
export function requestSigning(
  sp: ConfNode,
  signingCertificate: string | undefined,
  metadata: SpMetadataKeys | undefined,
) {
  const fromMetadata = metadata ?? { signingCertificates: [], authnRequestsSigned: false };
  const declared = declaredLevel(
    metadata?.maxImpersonationLevel,
    `entity attribute ${MAX_IMPERSONATION_LEVEL_ATTRIBUTE}`,
    // The metadata is the entry's metadataFile, or a provider's for its entityID.
    (m) => sp.fail(m, sp.has('metadataFile') ? 'metadataFile' : 'entityID'),
  );
  const signingCertificates = [
    ...new Set([
      ...(signingCertificate ? [signingCertificate] : []),
      ...fromMetadata.signingCertificates,
    ]),
  ];
  const hasCertificate = signingCertificates.length > 0;
  const wantAuthnRequestsSigned = sp.boolean(
    'wantAuthnRequestsSigned',
    hasCertificate || fromMetadata.authnRequestsSigned,
  );
  // The SP says it signs every request: a YAML false would accept forged unsigned ones.
  if (!wantAuthnRequestsSigned && fromMetadata.authnRequestsSigned)
    sp.fail(
      'must not be false: the SP\'s metadata says AuthnRequestsSigned="true"',
      'wantAuthnRequestsSigned',
    );
  if (wantAuthnRequestsSigned && !hasCertificate) {
    sp.fail(
      'signed AuthnRequests are required but the SP has no certificate (signingCertificate, or a signing KeyDescriptor in metadataFile)',
      'wantAuthnRequestsSigned',
    );
  }
  const allowSha1Signatures = sp.boolean('allowSha1Signatures', false);
  if (allowSha1Signatures && !hasCertificate)
    sp.fail(
      'has no effect: the SP has no certificate to verify signatures with',
      'allowSha1Signatures',
    );
  return { signingCertificates, wantAuthnRequestsSigned, allowSha1Signatures, declared };
}
