/**
 * The IdP's SAML signing key pair, read from the files idp.signing.key / idp.signing.cert. When both
 * are missing a demo pair is generated there (with a warning): fine for trying the IdP out, never
 * for production, where the deployer installs a real key. One file without the other is an error.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { generate } from 'selfsigned';
import { ConfigurationError } from '../core/errors.js';
import type { ProcessLog } from '../logging/process-log.js';

/** The signing key as XML signing uses it. */
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

export async function loadSigningCredential(
  files: { key: string; cert: string },
  subject: string,
  log: ProcessLog,
): Promise<SigningCredential> {
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
  } else if (!hasKey || !hasCert) {
    const missing = hasKey ? files.cert : files.key;
    throw new ConfigurationError('idp.properties', hasKey ? 'idp.signing.cert' : 'idp.signing.key', `file not found: ${missing}`);
  }
  const privateKey = readFileSync(files.key, 'utf8');
  const certificate = readFileSync(files.cert, 'utf8');
  let der: Buffer;
  try {
    der = new X509Certificate(certificate).raw;
  } catch (err) {
    throw new ConfigurationError('idp.properties', 'idp.signing.cert', `not a PEM certificate: ${files.cert}`, { cause: err });
  }
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch (err) {
    throw new ConfigurationError('idp.properties', 'idp.signing.key', `not a PEM private key: ${files.key}`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigurationError('idp.properties', 'idp.signing.key', `${files.key} holds a ${key.asymmetricKeyType ?? 'unknown'} key; SAML signing needs RSA (what service providers verify)`);
  }
  return { privateKey, certificate, xml: { privateKey: key, certificateBase64: der.toString('base64') } };
}
