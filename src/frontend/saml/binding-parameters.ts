/**
 * The SAML parameters of a request (SAMLRequest, RelayState, SigAlg, Signature), read strictly
 * from the query string (HTTP-Redirect) or the form body (HTTP-POST): each at most once, valid
 * percent-encoded UTF-8, within its length limit. For the Redirect binding the raw values are kept
 * too, because its signature is over the octet string exactly as it was sent.
 */
import { IdpError } from '../../core/errors.js';
import { malformed } from './inbound-errors.js';

const SAML_PARAMETERS = [
  'SAMLRequest',
  'SAMLResponse',
  'RelayState',
  'SigAlg',
  'Signature',
] as const;
type SamlParameterName = (typeof SAML_PARAMETERS)[number];
/** The parameters a SAML message comes in; an endpoint names those it takes (SSO: SAMLRequest). */
export type MessageParameter = 'SAMLRequest' | 'SAMLResponse';

/** SAML's bindings allow 80 bytes; SPs in the wild send longer opaque values, so this is looser. */
const MAX_RELAY_STATE = 1024;

export interface SamlParameters {
  /** The message: the SAMLRequest, or the SAMLResponse where the endpoint takes one (`message`). */
  readonly samlRequest: string;
  /** Which parameter carried it. */
  readonly message: MessageParameter;
  readonly relayState: string | null;
  readonly sigAlg?: string;
  readonly signature?: string;
  /** HTTP-Redirect: "SAMLRequest=…&RelayState=…&SigAlg=…" as sent, for the signature check. */
  readonly signedOctets?: string;
}

type Where = 'query string' | 'form body';

/** The SAML parameters read so far: each as sent (raw) and decoded (value). */
type Found = Map<SamlParameterName, { raw: string; value: string }>;

export function samlParameters(
  urlEncoded: string,
  where: Where,
  maxEncodedRequest: number,
  accepts: readonly MessageParameter[] = ['SAMLRequest'],
): SamlParameters {
  onlyUrlEncodedCharacters(urlEncoded, where);
  const found: Found = new Map();
  for (const pair of urlEncoded.split('&'))
    readPair(pair, found, where, maxEncodedRequest, accepts);
  const message = messageName(found, where, accepts);
  return {
    samlRequest: samlRequest(found, where, maxEncodedRequest, message),
    message,
    relayState: relayState(found),
    sigAlg: found.get('SigAlg')?.value,
    signature: found.get('Signature')?.value,
    signedOctets: signedOctets(found),
  };
}

/** URL-encoded text is printable ASCII; anything else (raw non-UTF-8 bytes, controls) is refused. */
function onlyUrlEncodedCharacters(urlEncoded: string, where: Where): void {
  if (/[^\x21-\x7e]/.test(urlEncoded))
    throw malformed(`the ${where} contains characters that are not URL-encoded`);
}

/** One name=value pair: a SAML parameter is kept, spelled plainly, once, within its limit; others are ignored. */
function readPair(
  pair: string,
  found: Found,
  where: Where,
  maxEncodedRequest: number,
  accepts: readonly MessageParameter[],
): void {
  if (pair === '') return;
  const eq = pair.indexOf('=');
  const rawName = eq === -1 ? pair : pair.slice(0, eq);
  const raw = eq === -1 ? '' : pair.slice(eq + 1);
  const name = decode(rawName, where);
  if (!isSamlParameter(name) || !takes(name, accepts)) return;
  // signedOctets rebuilds each pair with the plain name: any other spelling would not be the octets as sent.
  if (rawName !== name)
    throw malformed(`the ${where} spells the parameter name ${name} percent-encoded`);
  // With two values, the signature check and the decoder could each take a different one.
  if (found.has(name)) throw malformed(`${name} is given more than once in the ${where}`);
  // Bounded before decoding: percent-encoding can at most triple the length.
  if (isMessage(name) && raw.length > maxEncodedRequest * 3) throw tooLarge(maxEncodedRequest);
  found.set(name, { raw, value: decode(raw, where, name) });
}

function isSamlParameter(name: string): name is SamlParameterName {
  return (SAML_PARAMETERS as readonly string[]).includes(name);
}

function isMessage(name: SamlParameterName): name is MessageParameter {
  return name === 'SAMLRequest' || name === 'SAMLResponse';
}

/** A message parameter the endpoint does not take is ignored, like any other parameter. */
function takes(name: SamlParameterName, accepts: readonly MessageParameter[]): boolean {
  return !isMessage(name) || accepts.includes(name);
}

/** The one message parameter given: two messages in one request are refused. */
function messageName(
  found: Found,
  where: Where,
  accepts: readonly MessageParameter[],
): MessageParameter {
  const given = accepts.filter((name) => found.has(name));
  if (given.length > 1) throw malformed(`the ${where} has both ${given.join(' and ')}`);
  return given[0] ?? accepts[0]!;
}

/** Present, not empty, and within the limit once decoded. */
function samlRequest(
  found: Found,
  where: Where,
  maxEncodedRequest: number,
  message: MessageParameter,
): string {
  const value = found.get(message)?.value;
  if (value === undefined || value === '')
    throw malformed(`the ${where} has no ${message} parameter`);
  if (value.length > maxEncodedRequest) throw tooLarge(maxEncodedRequest);
  return value;
}

/** RelayState comes back to the SP in the response form; its length is bounded (MAX_RELAY_STATE). */
function relayState(found: Found): string | null {
  const value = found.get('RelayState')?.value ?? null;
  if (value !== null && value.length > MAX_RELAY_STATE)
    throw malformed(`RelayState is longer than ${MAX_RELAY_STATE} characters`);
  return value;
}

/** The Redirect binding's signed octet string: the parameters but Signature, in the order the binding names them, as sent. */
function signedOctets(found: Found): string {
  return SAML_PARAMETERS.filter((n) => n !== 'Signature' && found.has(n))
    .map((n) => `${n}=${found.get(n)!.raw}`)
    .join('&');
}

/** application/x-www-form-urlencoded decoding that refuses what it cannot decode exactly. */
function decode(text: string, where: string, name?: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw malformed(
      `${name ?? 'a parameter name'} in the ${where} is not valid percent-encoded UTF-8`,
    );
  }
}

function tooLarge(max: number): IdpError {
  return new IdpError('MESSAGE_TOO_LARGE', `SAMLRequest is larger than ${max} characters`);
}
