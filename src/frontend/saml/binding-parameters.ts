/**
 * The SAML parameters of a request (SAMLRequest, RelayState, SigAlg, Signature), read strictly
 * from the query string (HTTP-Redirect) or the form body (HTTP-POST): each at most once, valid
 * percent-encoded UTF-8, within its length limit. For the Redirect binding the raw values are kept
 * too, because its signature is over the octet string exactly as it was sent.
 */
import { IdpError } from '../../core/errors.js';
import { malformed } from './saml-xml.js';

const SAML_PARAMETERS = ['SAMLRequest', 'RelayState', 'SigAlg', 'Signature'] as const;
type SamlParameterName = (typeof SAML_PARAMETERS)[number];

/** SAML's bindings allow 80 bytes; SPs in the wild send longer opaque values, so this is looser. */
export const MAX_RELAY_STATE = 1024;

export interface SamlParameters {
  readonly samlRequest: string;
  readonly relayState: string | null;
  readonly sigAlg?: string;
  readonly signature?: string;
  /** HTTP-Redirect: "SAMLRequest=…&RelayState=…&SigAlg=…" as sent, for the signature check. */
  readonly signedOctets?: string;
}

export function samlParameters(urlEncoded: string, where: 'query string' | 'form body', maxEncodedRequest: number): SamlParameters {
  // URL-encoded text is printable ASCII; anything else (raw non-UTF-8 bytes, controls) is refused.
  if (/[^\x21-\x7e]/.test(urlEncoded)) throw malformed(`the ${where} contains characters that are not URL-encoded`);
  const found = new Map<SamlParameterName, { raw: string; value: string }>();
  for (const pair of urlEncoded.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const raw = eq === -1 ? '' : pair.slice(eq + 1);
    const name = decode(rawName, where);
    if (!(SAML_PARAMETERS as readonly string[]).includes(name)) continue;
    if (rawName !== name) throw malformed(`the ${where} spells the parameter name ${name} percent-encoded`);
    if (found.has(name as SamlParameterName)) throw malformed(`${name} is given more than once in the ${where}`);
    if (name === 'SAMLRequest' && raw.length > maxEncodedRequest * 3) throw tooLarge(maxEncodedRequest);
    found.set(name as SamlParameterName, { raw, value: decode(raw, where, name) });
  }
  const samlRequest = found.get('SAMLRequest')?.value;
  if (samlRequest === undefined || samlRequest === '') throw malformed(`the ${where} has no SAMLRequest parameter`);
  if (samlRequest.length > maxEncodedRequest) throw tooLarge(maxEncodedRequest);
  const relayState = found.get('RelayState')?.value ?? null;
  if (relayState !== null && relayState.length > MAX_RELAY_STATE) throw malformed(`RelayState is longer than ${MAX_RELAY_STATE} characters`);
  const signedOctets = SAML_PARAMETERS.filter((n) => n !== 'Signature' && found.has(n))
    .map((n) => `${n}=${found.get(n)!.raw}`)
    .join('&');
  return { samlRequest, relayState, sigAlg: found.get('SigAlg')?.value, signature: found.get('Signature')?.value, signedOctets };
}

/** application/x-www-form-urlencoded decoding that refuses what it cannot decode exactly. */
function decode(text: string, where: string, name?: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw malformed(`${name ?? 'a parameter name'} in the ${where} is not valid percent-encoded UTF-8`);
  }
}

function tooLarge(max: number): IdpError {
  return new IdpError('MESSAGE_TOO_LARGE', `SAMLRequest is larger than ${max} characters`);
}
