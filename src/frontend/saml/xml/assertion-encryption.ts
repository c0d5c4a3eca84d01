/**
 * Assertion encryption for SPs with an encryption certificate (SAML core §2.3.4, XML Encryption
 * 1.1): the (already signed) assertion is serialized on its own, encrypted with a fresh AES-256-GCM
 * key, and that key is carried RSA-OAEP-encrypted to the SP's certificate in an EncryptedKey
 * placed inline in the EncryptedData's KeyInfo — Shibboleth's default placement. The result is a
 * tree element, so an outer Response signature (xml/enveloped-signature.ts) covers it.
 *
 * Key transport is xmlenc#rsa-oaep-mgf1p with its defaults (SHA-1 digest, MGF1-SHA1), not
 * xmlenc11#rsa-oaep with SHA-256: the xml-encryption package node-saml and passport-saml decrypt
 * with knows only the former (measured: test/frontend/saml/xml/assertion-encryption.test.ts), and
 * every other SP stack reads it too. OAEP's security does not rest on SHA-1's collision resistance.
 * xml-encryption's own encrypt() is not used: it returns text (with a default-namespace KeyInfo),
 * while the Response signature here is computed from the tree.
 */
import {
  constants,
  createCipheriv,
  createPublicKey,
  publicEncrypt,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { el, serialize, type XmlElement } from './xml-tree.js';

const XENC = 'http://www.w3.org/2001/04/xmlenc#';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
export const DATA_ENCRYPTION_ALGORITHM = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
const KEY_TRANSPORT_ALGORITHM = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const ELEMENT_TYPE = 'http://www.w3.org/2001/04/xmlenc#Element';
/** AES-GCM nonce and tag lengths of XML Encryption 1.1 §5.2.4 (IV ‖ ciphertext ‖ tag). */
const IV_BYTES = 12;

/** The SP an assertion is encrypted for: its entityID (EncryptedKey's Recipient) and certificate. */
export interface EncryptionRecipient {
  readonly entityID: string;
  /** PEM certificate holding an RSA key (checked at start-up: src/config/saml-sp-encryption-conf.ts). */
  readonly certificate: string;
}

const keys = new Map<string, { key: KeyObject; base64: string }>();
/** Metadata refreshes can bring new certificates: the cache is emptied rather than grown past this. */
const MAX_CACHED_KEYS = 1024;

/** The certificate's public key and DER (base64), parsed once per certificate. */
function recipientKey(pem: string): { key: KeyObject; base64: string } {
  let found = keys.get(pem);
  if (!found) {
    const cert = new X509Certificate(pem);
    found = { key: createPublicKey(pem), base64: cert.raw.toString('base64') };
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    keys.set(pem, found);
  }
  return found;
}

/**
 * saml:EncryptedAssertion holding `assertion`. `inScope` are the namespace bindings its ancestors
 * declare (xml-tree.ts scopeAt): they are declared on the encrypted copy, which the SP parses as a
 * document of its own. Exclusive canonicalization ignores declarations a signed element does not
 * use, so the assertion's signature still verifies after decryption.
 */
export function encryptAssertion(
  assertion: XmlElement,
  inScope: ReadonlyMap<string, string>,
  recipient: EncryptionRecipient,
): XmlElement {
  const standalone: XmlElement = {
    ...assertion,
    namespaces: { ...Object.fromEntries(inScope), ...assertion.namespaces },
  };
  const plaintext = Buffer.from(serialize(standalone), 'utf8');
  const cek = randomBytes(32);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const { key, base64 } = recipientKey(recipient.certificate);
  const wrapped = publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    cek,
  );
  const encryptedKey = el('xenc:EncryptedKey', { Recipient: recipient.entityID }, [
    el('xenc:EncryptionMethod', { Algorithm: KEY_TRANSPORT_ALGORITHM }, [
      el('ds:DigestMethod', { Algorithm: SHA1 }),
    ]),
    el('ds:KeyInfo', {}, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, [base64])])]),
    el('xenc:CipherData', {}, [el('xenc:CipherValue', {}, [wrapped.toString('base64')])]),
  ]);
  return el('saml:EncryptedAssertion', {}, [
    el(
      'xenc:EncryptedData',
      { Type: ELEMENT_TYPE },
      [
        el('xenc:EncryptionMethod', { Algorithm: DATA_ENCRYPTION_ALGORITHM }),
        el('ds:KeyInfo', {}, [encryptedKey], { ds: DS }),
        el('xenc:CipherData', {}, [el('xenc:CipherValue', {}, [data.toString('base64')])]),
      ],
      { xenc: XENC },
    ),
  ]);
}
