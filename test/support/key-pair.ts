/** A self-signed RSA 2048 certificate and its key, as PEM, for a test SP or IdP. */
import { generate } from 'selfsigned';

export interface KeyPair {
  readonly privatePem: string;
  readonly certPem: string;
}

export async function keyPair(cn: string): Promise<KeyPair> {
  const p = await generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  return { privatePem: p.private, certPem: p.cert };
}
