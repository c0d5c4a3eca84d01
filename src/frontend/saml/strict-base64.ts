/**
 * Base64 as SAML carries it: the standard alphabet with padding, white space (line breaks) allowed
 * between characters. Node's Buffer.from(…, 'base64') skips anything it does not understand, so a
 * value is checked before it is decoded; undefined means it is not base64.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function strictBase64(text: string): Buffer | undefined {
  const compact = text.replace(/[\t\n\r ]/g, '');
  return compact !== '' && BASE64.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}
