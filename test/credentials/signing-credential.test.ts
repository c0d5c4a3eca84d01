/**
 * The SAML signing credential (idp.signing.key / idp.signing.cert): a demo pair is generated, with a
 * warning, only when both files are missing, and kept; one file without the other, a file that is
 * not PEM, or a key that is not RSA stops the IdP with an error naming the property and the file.
 */
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { loadSigningCredential, type SigningCredential } from '../../src/credentials/signing-credential.js';
import { captureLog } from './log-capture.js';

const SUBJECT = 'https://idp.example.org/idp/shibboleth';
/** An entity ID longer than the 64 characters a certificate's common name may have. */
const LONG_SUBJECT = `https://idp.example.org/${'x'.repeat(100)}/idp/shibboleth`;

function files() {
  const dir = mkdtempSync(path.join(tmpdir(), 'signing-'));
  return { key: path.join(dir, 'credentials', 'idp-signing.key'), cert: path.join(dir, 'credentials', 'idp-signing.crt') };
}

/** Files holding the given key and certificate text. */
function installed(pair: { key: string; cert: string }) {
  const f = files();
  mkdirSync(path.dirname(f.key), { recursive: true });
  writeFileSync(f.key, pair.key);
  writeFileSync(f.cert, pair.cert);
  return f;
}

async function failure(promise: Promise<unknown>): Promise<ConfigurationError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw err;
  }
  throw new Error('no configuration error');
}

/**
 * A demo pair generated once into missing files (generating RSA keys is slow), with what was logged;
 * the other tests install its key and certificate as a deployer's RSA pair. And an EC pair.
 */
let demoFiles: { key: string; cert: string };
let demo: SigningCredential;
let demoLog: string[];
let rsa: { key: string; cert: string };
let ec: { key: string; cert: string };
beforeAll(async () => {
  demoFiles = files();
  const log = captureLog();
  demo = await loadSigningCredential(demoFiles, LONG_SUBJECT, log);
  demoLog = log.lines;
  rsa = { key: demo.privateKey, cert: demo.certificate };
  const ecMade = await generate([{ name: 'commonName', value: 'ec' }], { keyType: 'ec', algorithm: 'sha256' });
  ec = { key: ecMade.private, cert: ecMade.cert };
});

describe('loadSigningCredential', () => {
  it('generates a demo RSA pair when both files are missing, warns, and keeps it', async () => {
    const f = demoFiles;
    const first = demo;

    expect(demoLog).toEqual([`WARN No signing credential at ${f.key}; generating a DEMO key pair. Install a real key and certificate before production use.`]);
    expect(readFileSync(f.key, 'utf8')).toBe(first.privateKey);
    expect(readFileSync(f.cert, 'utf8')).toBe(first.certificate);
    expect(statSync(f.key).mode & 0o777).toBe(0o600);
    expect(first.xml.privateKey.asymmetricKeyType).toBe('rsa');
    expect(first.xml.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

    const cert = new X509Certificate(first.certificate);
    // The subject cut to the 64 characters a common name may have.
    expect(cert.subject).toBe(`CN=${LONG_SUBJECT.slice(0, 64)}`);
    expect(cert.checkPrivateKey(first.xml.privateKey)).toBe(true);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 2 * 365 * 24 * 3600_000);
    expect(first.xml.certificateBase64).toBe(cert.raw.toString('base64'));

    const againLog = captureLog();
    const again = await loadSigningCredential(f, LONG_SUBJECT, againLog);
    expect(again.certificate).toBe(first.certificate);
    expect(again.privateKey).toBe(first.privateKey);
    expect(againLog.lines).toEqual([]);
  });

  it('loads an installed pair without a warning, ready for XML signing', async () => {
    const f = installed(rsa);
    const log = captureLog();
    const credential = await loadSigningCredential(f, SUBJECT, log);
    expect(log.lines).toEqual([]);
    expect(credential.certificate).toBe(rsa.cert);
    const signature = sign('sha256', Buffer.from('data'), credential.xml.privateKey);
    expect(verify('sha256', Buffer.from('data'), createPublicKey(rsa.key), signature)).toBe(true);
    expect(credential.xml.certificateBase64).toBe(new X509Certificate(rsa.cert).raw.toString('base64'));
  });

  it.each([
    ['the certificate', 'cert', 'idp.signing.cert'],
    ['the key', 'key', 'idp.signing.key'],
  ] as const)('refuses a key pair missing %s, naming the property and the file, and generates nothing', async (_what, missing, property) => {
    const f = installed(rsa);
    const kept = missing === 'cert' ? f.key : f.cert;
    const before = readFileSync(kept, 'utf8');
    rmSync(f[missing]);

    const err = await failure(loadSigningCredential(f, SUBJECT, captureLog()));
    expect(err.file).toBe('idp.properties');
    expect(err.key).toBe(property);
    expect(err.message).toBe(`idp.properties: ${property}: file not found: ${f[missing]}`);
    expect(existsSync(f[missing])).toBe(false);
    expect(readFileSync(kept, 'utf8')).toBe(before);
  });

  it('refuses a certificate file that is not a PEM certificate', async () => {
    const f = installed({ key: rsa.key, cert: 'not a certificate\n' });
    const err = await failure(loadSigningCredential(f, SUBJECT, captureLog()));
    expect(err.key).toBe('idp.signing.cert');
    expect(err.message).toBe(`idp.properties: idp.signing.cert: not a PEM certificate: ${f.cert}`);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('refuses a key file that is not a PEM private key', async () => {
    const f = installed({ key: rsa.cert, cert: rsa.cert }); // a certificate where the key should be
    const err = await failure(loadSigningCredential(f, SUBJECT, captureLog()));
    expect(err.key).toBe('idp.signing.key');
    expect(err.message).toBe(`idp.properties: idp.signing.key: not a PEM private key: ${f.key}`);
  });

  it('refuses a key that is not RSA, saying what it is', async () => {
    const f = installed(ec);
    expect(createPrivateKey(ec.key).asymmetricKeyType).toBe('ec');
    const err = await failure(loadSigningCredential(f, SUBJECT, captureLog()));
    expect(err.key).toBe('idp.signing.key');
    expect(err.message).toBe(`idp.properties: idp.signing.key: ${f.key} holds a ec key; SAML signing needs RSA (what service providers verify)`);
  });
});

describe('the next pair of a key rollover (idp.signing.next.*)', () => {
  let other: { key: string; cert: string };
  beforeAll(async () => {
    const made = await generate([{ name: 'commonName', value: 'next' }], { keySize: 2048, algorithm: 'sha256' });
    other = { key: made.private, cert: made.cert };
  });

  it('loads the next certificate for publishing; the current key still signs', async () => {
    const f = { ...installed(rsa), next: installed(other) };
    const log = captureLog();
    const credential = await loadSigningCredential(f, SUBJECT, log);
    expect(log.lines).toEqual([expect.stringMatching(new RegExp(`^INFO Publishing the next signing certificate ${f.next.cert} \\(CN=next, valid to .+\\) in the metadata for a key rollover; responses are still signed with idp.signing.key$`))]);
    expect(credential.next?.certificate).toBe(other.cert);
    expect(credential.next?.certificateBase64).toBe(new X509Certificate(other.cert).raw.toString('base64'));
    expect(credential.certificate).toBe(rsa.cert);
    expect(credential.next).not.toHaveProperty('privateKey');
  });

  it('warns about a next certificate that has expired', async () => {
    const made = await generate([{ name: 'commonName', value: 'old' }], { keySize: 2048, algorithm: 'sha256', notBeforeDate: new Date('2020-01-01'), notAfterDate: new Date('2021-01-01') });
    const next = installed({ key: made.private, cert: made.cert });
    const log = captureLog();
    await loadSigningCredential({ ...installed(rsa), next }, SUBJECT, log);
    expect(log.lines[1]).toMatch(new RegExp(`^WARN The next signing certificate ${next.cert} expired on .*2021`));
  });

  it('generates nothing for a missing next pair: the file is an error naming the next property', async () => {
    const next = installed(other);
    rmSync(next.key);
    const err = await failure(loadSigningCredential({ ...installed(rsa), next }, SUBJECT, captureLog()));
    expect(err.key).toBe('idp.signing.next.key');
    expect(err.message).toBe(`idp.properties: idp.signing.next.key: file not found: ${next.key}`);
    expect(existsSync(next.key)).toBe(false);
  });

  it('refuses a next certificate that is not the next key\'s, and the current pair again', async () => {
    const mismatched = installed({ key: rsa.key, cert: other.cert });
    const err = await failure(loadSigningCredential({ ...installed(rsa), next: mismatched }, SUBJECT, captureLog()));
    expect(err.key).toBe('idp.signing.next.cert');
    expect(err.message).toBe(`idp.properties: idp.signing.next.cert: ${mismatched.cert} is not the certificate of the key in ${mismatched.key}`);

    const same = await failure(loadSigningCredential({ ...installed(rsa), next: installed(rsa) }, SUBJECT, captureLog()));
    expect(same.key).toBe('idp.signing.next.cert');
    expect(same.message).toMatch(/is the current signing certificate/);
  });

  it('refuses a current certificate that is not the current key\'s', async () => {
    const f = installed({ key: rsa.key, cert: other.cert });
    const err = await failure(loadSigningCredential(f, SUBJECT, captureLog()));
    expect(err.key).toBe('idp.signing.cert');
  });

  it('refuses a next key that is not RSA', async () => {
    const err = await failure(loadSigningCredential({ ...installed(rsa), next: installed(ec) }, SUBJECT, captureLog()));
    expect(err.key).toBe('idp.signing.next.key');
  });
});
