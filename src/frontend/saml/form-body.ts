/**
 * The body of a POST-binding request, read only after the request was admitted, with a size cap
 * (checked against Content-Length before reading, and while reading) and a deadline, so that a
 * large or slow body costs neither memory nor a place in the admission cap for long.
 */
import type { Request } from 'express';
import { IdpError } from '../../core/errors.js';
import { malformed } from './inbound-errors.js';

export interface FormLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** What the request's headers say about its body. */
interface BodyHeaders {
  readonly mediaType: string | undefined;
  readonly charset: string | undefined;
  readonly declaredLength: number;
  readonly transferEncoded: boolean;
}

/** On the headers, in order, before a byte of the body is read. */
const HEADER_CHECKS: readonly ((headers: BodyHeaders, limits: FormLimits) => void)[] = [
  declaredWithinLimit,
  hasBody,
  isUrlEncodedForm,
  isUtf8,
];

export async function readFormBody(req: Request, limits: FormLimits): Promise<string> {
  const headers = bodyHeaders(req);
  for (const check of HEADER_CHECKS) check(headers, limits);
  if (req.readableEnded) return '';
  return (await readAll(req, limits)).toString('latin1');
}

function bodyHeaders(req: Request): BodyHeaders {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const [mediaType, ...params] = type.split(';').map((s) => s.trim());
  return {
    mediaType,
    charset: params
      .find((p) => p.startsWith('charset='))
      ?.slice(8)
      .replace(/"/g, ''),
    declaredLength: Number(req.headers['content-length'] ?? 0),
    transferEncoded: req.headers['transfer-encoding'] !== undefined,
  };
}

/** A body announced as too large is refused before it is read at all. */
function declaredWithinLimit({ declaredLength }: BodyHeaders, limits: FormLimits): void {
  if (declaredLength > limits.maxBytes) throw tooLarge(limits.maxBytes);
}

/** No type, no length, no transfer encoding: there is no form, so say that rather than name a content type. */
function hasBody({ mediaType, declaredLength, transferEncoded }: BodyHeaders): void {
  if (mediaType === '' && declaredLength === 0 && !transferEncoded) {
    throw malformed('the POST binding request has no form body (SAMLRequest is missing)');
  }
}

/** The POST binding is an HTML form post; nothing else is parsed. */
function isUrlEncodedForm({ mediaType }: BodyHeaders): void {
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw malformed(
      `the POST binding takes an application/x-www-form-urlencoded form, not ${JSON.stringify(mediaType || '(no content type)')}`,
    );
  }
}

/** The body is decoded as UTF-8 (binding-parameters.ts); another declared charset would be misread. */
function isUtf8({ charset }: BodyHeaders): void {
  if (charset !== undefined && charset !== 'utf-8')
    throw malformed(`the form must be UTF-8, not ${JSON.stringify(charset)}`);
}

function readAll(req: Request, limits: FormLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: IdpError) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) {
        // Stop reading; the refusal is sent with Connection: close, so the rest is never parsed.
        req.pause();
        reject(err);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) done(tooLarge(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (err: Error) =>
      done(malformed(`the request body could not be read (${err.message})`));
    const onAborted = () => done(malformed('the request body was not sent completely'));
    const timer = setTimeout(
      () =>
        done(
          new IdpError(
            'MESSAGE_TIMEOUT',
            `the request body took longer than ${limits.timeoutMs} ms to arrive`,
          ),
        ),
      limits.timeoutMs,
    );
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

function tooLarge(max: number): IdpError {
  return new IdpError('MESSAGE_TOO_LARGE', `the request body is larger than ${max} bytes`);
}
