/**
 * The IdP's SAML signing key pair, read from the files idp.signing.key / idp.signing.cert. When both
 * are missing a demo pair is generated there (with a warning): fine for trying the IdP out, never
 * for production, where the deployer installs a real key. One file without the other is an error.
 * A rollover adds the next pair (idp.signing.next.*): only its certificate is used, published in
 * the metadata so SPs trust it before it signs; the key is checked to match so the pair can be
 * promoted by moving the files.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { generate } from 'selfsigned';
import { ConfigurationError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';

/** The signing key as XML signing uses it. */
/** The signing pair files from idp.properties. */
export interface SigningFiles {
  readonly key: string;
  readonly cert: string;
  /** The next pair of a key rollover: published, never used to sign. */
  readonly next?: { readonly key: string; readonly cert: string };
}

export interface XmlSigningKey {
  /** An RSA key: what SAML service providers verify (xml-crypto, under node-saml and others, has no ECDSA). */
  readonly privateKey: KeyObject;
  /** The certificate for KeyInfo, base64 DER (the PEM body). */
  readonly certificateBase64: string;
}

export interface SigningCredential {
  readonly privateKey: string;
  readonly certificate: string;
  /** The same pair ready for XML signing: the key parsed once (re-parsing PEM per signature triples its cost). */
  readonly xml: XmlSigningKey;
}

/** The next pair of a key rollover: its certificate is published; the key never signs. */
export interface NextSigningCertificate {
  readonly certificate: string;
  /** Base64 DER (the PEM body), as metadata's ds:X509Certificate carries it. */
  readonly certificateBase64: string;
}

export async function loadSigningCredential(
  files: SigningFiles,
  subject: string,
  log: ProcessLog,
): Promise<SigningCredential & { readonly next?: NextSigningCertificate }> {
  const hasKey = existsSync(files.key);
  const hasCert = existsSync(files.cert);
  if (!hasKey && !hasCert) {
    log.warn(`No signing credential at ${files.key}; generating a DEMO key pair. Install a real key and certificate before production use.`);
    const pems = await generate([{ name: 'commonName', value: subject.slice(0, 64) }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 3 * 365 * 24 * 3600_000),
    });
    mkdirSync(path.dirname(files.key), { recursive: true });
    mkdirSync(path.dirname(files.cert), { recursive: true });
    writeFileSync(files.key, pems.private, { mode: 0o600 });
    writeFileSync(files.cert, pems.cert);
  }
  const current = readPair(files, CURRENT_KEYS);
  const next = files.next ? readPair(files.next, NEXT_KEYS) : undefined;
  if (next && next.xml.certificateBase64 === current.xml.certificateBase64)
    throw new ConfigurationError('idp.properties', NEXT_KEYS.cert, 'is the current signing certificate; a rollover publishes a different one');
  if (next) logRollover(next, files.next!.cert, log);
  return {
    ...current,
    next: next && { certificate: next.certificate, certificateBase64: next.xml.certificateBase64 },
  };
}

/** A rollover is an operation in progress: say so at every start, and warn about a dead certificate. */
function logRollover(next: SigningCredential, file: string, log: ProcessLog): void {
  const x509 = new X509Certificate(next.certificate);
  log.info(`Publishing the next signing certificate ${file} (${x509.subject.replace(/\n/g, ', ')}, valid to ${x509.validTo}) in the metadata for a key rollover; responses are still signed with idp.signing.key`);
  if (Date.parse(x509.validTo) < Date.now())
    log.warn(`The next signing certificate ${file} expired on ${x509.validTo}; service providers that check expiry will not accept it after the rollover`);
}

const CURRENT_KEYS = { key: 'idp.signing.key', cert: 'idp.signing.cert' } as const;
const NEXT_KEYS = { key: 'idp.signing.next.key', cert: 'idp.signing.next.cert' } as const;

/** One key and certificate, both present, PEM, RSA, and the certificate the key's (else the IdP would publish a key it cannot sign for). */
function readPair(files: { key: string; cert: string }, keys: { key: string; cert: string }): SigningCredential {
  const hasKey = existsSync(files.key);
  const hasCert = existsSync(files.cert);
  if (!hasKey || !hasCert) {
    const missing = hasKey ? files.cert : files.key;
    throw new ConfigurationError('idp.properties', hasKey ? keys.cert : keys.key, `file not found: ${missing}`);
  }
  const privateKey = readFileSync(files.key, 'utf8');
  const certificate = readFileSync(files.cert, 'utf8');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certificate);
  } catch (err) {
    throw new ConfigurationError('idp.properties', keys.cert, `not a PEM certificate: ${files.cert}`, { cause: err });
  }
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch (err) {
    throw new ConfigurationError('idp.properties', keys.key, `not a PEM private key: ${files.key}`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigurationError('idp.properties', keys.key, `${files.key} holds a ${key.asymmetricKeyType ?? 'unknown'} key; SAML signing needs RSA (what service providers verify)`);
  }
  if (!x509.checkPrivateKey(key)) {
    throw new ConfigurationError('idp.properties', keys.cert, `${files.cert} is not the certificate of the key in ${files.key}`);
  }
  return { privateKey, certificate, xml: { privateKey: key, certificateBase64: x509.raw.toString('base64') } };
}
