/**
 * XML Signature for the IdP's outbound SAML: one enveloped signature over an element with an ID,
 * the way SAML requires it (one Reference, URI "#ID", transforms enveloped-signature + exclusive
 * C14N, SHA-256), placed right after the element's Issuer as the SAML schema orders it. The key is
 * a KeyObject parsed once; the digested bytes come from the tree (xml-tree.ts), not from
 * re-parsing text. Sign inner elements first: an outer signature covers the inner one.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { XmlSigningKey } from '../../../credentials/signing-credential.js';
import { canonicalize, el, scopeAt, type XmlElement } from './xml-tree.js';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
/**
 * The RSA operation runs on libuv's thread pool (crypto.sign with a callback), not on the event
 * loop: it is most of a response's CPU, and on the pool it runs beside the requests the loop
 * serves meanwhile, on another core.
 */
const signOffLoop = promisify(
  (data: Buffer, key: KeyObject, done: (err: Error | null, signature: Buffer) => void) =>
    sign('sha256', data, key, done),
);

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

/**
 * Signs `target` (which must carry an ID attribute and be `root` or inside it) and inserts the
 * ds:Signature after its Issuer child.
 */
export async function signEnveloped(
  root: XmlElement,
  target: XmlElement,
  key: XmlSigningKey,
): Promise<void> {
  const id = target.attributes.find(([name]) => name === 'ID')?.[1];
  if (!id) throw new Error(`${target.name} has no ID to sign`);
  const scope = scopeAt(root, target);
  if (!scope) throw new Error(`${target.name} is not in the document`);
  const digest = createHash('sha256').update(canonicalize(target, scope), 'utf8').digest('base64');

  if (key.privateKey.asymmetricKeyType !== 'rsa')
    throw new Error(
      `SAML signing needs an RSA key, not ${key.privateKey.asymmetricKeyType ?? 'unknown'}`,
    );
  const signedInfo = el('ds:SignedInfo', {}, [
    el('ds:CanonicalizationMethod', { Algorithm: EXC_C14N }),
    el('ds:SignatureMethod', { Algorithm: RSA_SHA256 }),
    el('ds:Reference', { URI: `#${id}` }, [
      el('ds:Transforms', {}, [
        el('ds:Transform', { Algorithm: ENVELOPED }),
        el('ds:Transform', { Algorithm: EXC_C14N }),
      ]),
      el('ds:DigestMethod', { Algorithm: SHA256 }),
      el('ds:DigestValue', {}, [digest]),
    ]),
  ]);
  // SignedInfo is canonicalized as its own apex; only ds is in scope (declared on Signature).
  const signedBytes = Buffer.from(canonicalize(signedInfo, new Map([['ds', DS]])), 'utf8');
  const value = (await signOffLoop(signedBytes, key.privateKey)).toString('base64');
  const signature = el(
    'ds:Signature',
    {},
    [
      signedInfo,
      el('ds:SignatureValue', {}, [value]),
      el('ds:KeyInfo', {}, [
        el('ds:X509Data', {}, [el('ds:X509Certificate', {}, [key.certificateBase64])]),
      ]),
    ],
    { ds: DS },
  );
  const issuerAt = target.children.findIndex(
    (c) => typeof c !== 'string' && c.name.endsWith(':Issuer'),
  );
  target.children.splice(issuerAt + 1, 0, signature);
}
